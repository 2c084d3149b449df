// connections/connect: refuses a client whose connect query has deny=...
module.exports = async function (context, invocation) {
  if (invocation.Query.deny) throw new Error(`denied by the function: ${invocation.Query.deny}`);
};
