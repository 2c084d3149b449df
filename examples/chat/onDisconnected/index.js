// connections/disconnected: a page's connection ended (the page closed, signed out or lost its
// network). Everyone gets userLeft {userId, name, connectionId, at}; a page counts a user as online
// while it knows one of their connections.
const { senderOf, now } = require("../shared/chat");

module.exports = async function (context, invocation) {
  const me = senderOf(invocation);
  context.bindings.signalRMessages = [{ target: "userLeft", arguments: [{ ...me, connectionId: invocation.ConnectionId, at: now() }] }];
};
