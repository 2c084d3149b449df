// POST /api/negotiate: the connection info of an anonymous client of hub "chat".
module.exports = async function (context, req, connectionInfo) {
  context.res.body = connectionInfo;
};
