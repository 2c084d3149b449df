// connections/connected: tells user "watcher" who connected (not for the watcher itself).
module.exports = async function (context, invocation) {
  if (invocation.UserId === "watcher") return;
  context.bindings.signalRMessages = [{ userId: "watcher", target: "event", arguments: [{ event: "connected", connectionId: invocation.ConnectionId, userId: invocation.UserId, query: invocation.Query }] }];
};
