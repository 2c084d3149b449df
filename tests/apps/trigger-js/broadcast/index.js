// messages/broadcast: sends the text to everyone and answers the caller with what it was told.
module.exports = async function (context, invocation) {
  context.bindings.signalRMessages = [
    { target: "newMessage", arguments: [context.bindingData.text, invocation.ConnectionId] },
  ];
  return {
    echo: context.bindingData.text,
    connectionId: invocation.ConnectionId,
    userId: invocation.UserId,
    hub: invocation.Hub,
    event: invocation.Event,
    arguments: invocation.Arguments,
    sameAsBinding: context.bindings.invocation === invocation,
  };
};
