// POST /api/messages {text}: a message to everyone: newMessage {from, fromId, text, at}.
const { json, bodyOf, callerOf, checkText, badRequest, now } = require("../shared/chat");

module.exports = async function (context, req) {
  const me = callerOf(context, req);
  if (!me) return;
  const text = checkText(bodyOf(req).text);
  if (text.error) return badRequest(context, text.error);
  const message = { from: me.name, fromId: me.userId, text: text.value, at: now() };
  context.bindings.signalRMessages = [{ target: "newMessage", arguments: [message] }];
  context.res = json(200, message);
};
