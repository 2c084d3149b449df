// messages/whoami: answers with the whole InvocationContext.
module.exports = async function (context, invocation) {
  return invocation;
};
