// connections/connected: tells everyone who arrived (and fails for a user named "fail").
module.exports = async function (context, invocation) {
  if (invocation.UserId === "fail") throw new Error("connected failed on purpose");
  context.bindings.signalRMessages = {
    target: "connected",
    arguments: [invocation.ConnectionId, invocation.UserId, invocation.Query, invocation.Claims, invocation.Error],
  };
};
