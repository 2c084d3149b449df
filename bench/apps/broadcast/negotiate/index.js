// POST /api/negotiate: the connection info (url, accessToken) for hub "bench", anonymous.
module.exports = async function (context, req, connectionInfo) {
  context.res = { body: connectionInfo };
};
