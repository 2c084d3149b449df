// messages/fail: always throws; the caller's invoke() is rejected with the message.
module.exports = async function (context, invocation) {
  throw new Error(`no way: ${invocation.Arguments[0]}`);
};
