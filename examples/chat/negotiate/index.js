// POST /api/negotiate: connection info for the signed-in user (the binding's userId is
// {headers.x-ms-client-principal-id}, which the host sets from the verified bearer token). Without a token
// the expression has no value and the host answers 400 before this runs.
module.exports = async function (context, req, connectionInfo) {
  context.res.body = connectionInfo;
};
