// connections/disconnected: tells everyone who left and why; throws when told to (still a 200).
module.exports = async function (context, invocation) {
  if (invocation.Query.throw) throw new Error("disconnected failed on purpose");
  context.bindings.signalRMessages = {
    target: "disconnected",
    arguments: [invocation.ConnectionId, invocation.Error],
  };
};
