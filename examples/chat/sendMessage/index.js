// connection.invoke("sendMessage", text): newMessage {from, fromId, text, at} to everyone. The
// message is also the invocation's result (the function's return value).
const { senderOf, valid, checkText, now } = require("../shared/chat");

module.exports = async function (context, invocation) {
  const me = senderOf(invocation);
  const text = valid(checkText(context.bindingData.text)); // parameterNames: ["text"]
  const message = { from: me.name, fromId: me.userId, text, at: now() };
  context.bindings.signalRMessages = [{ target: "newMessage", arguments: [message] }];
  return message;
};
