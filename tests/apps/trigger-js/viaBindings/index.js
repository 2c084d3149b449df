// messages/viaBindings: the v3 callback style, the result set as context.bindings.$return.
module.exports = function (context, invocation) {
  context.bindings.$return = { via: "context.bindings.$return", n: invocation.Arguments.length };
  context.done();
};
