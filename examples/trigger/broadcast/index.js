// connection.invoke("broadcast", text): everyone gets newMessage(from, text); the value returned here
// resolves the caller's invoke(), and a thrown error rejects it with the error's message.
module.exports = async function (context, invocation) {
  const text = String(context.bindingData.text ?? "").trim();
  if (!text) throw new Error("the message is empty");
  context.bindings.signalRMessages = [{ target: "newMessage", arguments: [invocation.ConnectionId, text] }];
  return { sent: text, at: new Date().toISOString() };
};
