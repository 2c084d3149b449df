// POST /api/negotiate?user=U: connection info for hub "chain", bound to user U.
module.exports = async function (context, req, connectionInfo) {
  context.res = { body: connectionInfo };
};
