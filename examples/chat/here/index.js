// connection.send("here", to): tells one newcomer (user `to`) that the caller is online:
// userHere {userId, name, connectionId}. Fire and forget: the page does not wait for an answer.
const { senderOf, valid, checkName } = require("../shared/chat");

module.exports = async function (context, invocation) {
  const me = senderOf(invocation);
  const to = valid(checkName(context.bindingData.to, "user"));
  if (to !== me.userId)
    context.bindings.signalRMessages = [{ userId: to, target: "userHere", arguments: [{ ...me, connectionId: invocation.ConnectionId }] }];
};
