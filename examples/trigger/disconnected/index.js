// A client left: everyone gets offline(connectionId).
module.exports = async function (context, invocation) {
  context.bindings.signalRMessages = { target: "offline", arguments: [invocation.ConnectionId] };
};
