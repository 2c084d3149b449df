// connections/connect (before the client is accepted): users whose id begins with "banned" are
// refused; the client is closed with this message.
module.exports = async function (context, invocation) {
  if (String(invocation.UserId).startsWith("banned")) throw new Error(`User ${invocation.UserId} may not connect.`);
};
