// POST /api/messages/private {to, text}: a message to one user (every page that user has open), with a
// copy to the sender's pages: privateMessage {from, fromId, to, text, at}.
const { json, bodyOf, callerOf, checkName, checkText, badRequest, now } = require("../shared/chat");

module.exports = async function (context, req) {
  const me = callerOf(context, req);
  if (!me) return;
  const body = bodyOf(req);
  const to = checkName(body.to, "recipient");
  if (to.error) return badRequest(context, to.error);
  const text = checkText(body.text);
  if (text.error) return badRequest(context, text.error);
  const message = { from: me.name, fromId: me.userId, to: to.value, text: text.value, at: now() };
  const send = [{ userId: to.value, target: "privateMessage", arguments: [message] }];
  if (to.value !== me.userId) send.push({ userId: me.userId, target: "privateMessage", arguments: [message] });
  context.bindings.signalRMessages = send;
  context.res = json(200, message);
};
