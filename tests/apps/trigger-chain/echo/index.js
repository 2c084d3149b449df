// invoke("echo", ...args): returns what the function saw of the invocation.
module.exports = async function (context, invocation) {
  return {
    arguments: invocation.Arguments,
    category: invocation.Category,
    event: invocation.Event,
    hub: invocation.Hub,
    connectionId: invocation.ConnectionId,
    userId: invocation.UserId,
    query: invocation.Query,
  };
};
