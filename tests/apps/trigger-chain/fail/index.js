// invoke("fail", why): throws; the caller's invoke rejects with this message.
module.exports = async function (context, invocation) {
  throw new Error(`fail was asked to fail: ${invocation.Arguments[0]}`);
};
