// connections/connected: a page's SignalR connection is up. Everyone (the newcomer too) gets
// userJoined {userId, name, connectionId, at}; the others answer the newcomer through `here`.
const { senderOf, now } = require("../shared/chat");

module.exports = async function (context, invocation) {
  const me = senderOf(invocation);
  context.bindings.signalRMessages = [{ target: "userJoined", arguments: [{ ...me, connectionId: invocation.ConnectionId, at: now() }] }];
};
