// connections/disconnected: tells user "watcher" who left, and with which error.
module.exports = async function (context, invocation) {
  if (invocation.UserId === "watcher") return;
  context.bindings.signalRMessages = [{ userId: "watcher", target: "event", arguments: [{ event: "disconnected", connectionId: invocation.ConnectionId, userId: invocation.UserId, error: invocation.Error ?? null }] }];
};
