// POST /api/groups/message {group, text}: a message to the group's members:
// groupMessage {group, from, fromId, text, at}.
const { json, bodyOf, callerOf, checkGroup, checkText, badRequest, now } = require("../shared/chat");

module.exports = async function (context, req) {
  const me = callerOf(context, req);
  if (!me) return;
  const body = bodyOf(req);
  const group = checkGroup(body.group);
  if (group.error) return badRequest(context, group.error);
  const text = checkText(body.text);
  if (text.error) return badRequest(context, text.error);
  const message = { group: group.value, from: me.name, fromId: me.userId, text: text.value, at: now() };
  context.bindings.signalRMessages = [{ groupName: group.value, target: "groupMessage", arguments: [message] }];
  context.res = json(200, message);
};
