// send("record", tag): answers the sending connection with recorded(tag) through the output binding
// (a fire-and-forget send gets no completion; this message is how the test sees the function ran).
module.exports = async function (context, invocation) {
  context.bindings.signalRMessages = [{ connectionId: invocation.ConnectionId, target: "recorded", arguments: [context.bindingData.tag] }];
};
