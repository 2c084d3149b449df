// A client connected: everyone gets online(connectionId).
module.exports = async function (context, invocation) {
  context.bindings.signalRMessages = { target: "online", arguments: [invocation.ConnectionId] };
};
