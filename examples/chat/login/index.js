// POST /api/login {name} -> {token, name, expiresAt}
//
// DEMO SIGN-IN. This stands in for a real identity provider (App Service Authentication / Microsoft Entra
// ID): anyone may pick any free-form name, and the token is signed with the demo secret of
// local.settings.json. The host verifies the token on every call (SWITCHBOARD_AUTH_SECRET) and hands the
// functions the user in the x-ms-client-principal-* headers.
const { json, bodyOf, checkName, badRequest, signToken } = require("../shared/chat");

const LIFETIME_S = 12 * 60 * 60;

module.exports = async function (context, req) {
  const secret = process.env.SWITCHBOARD_AUTH_SECRET;
  if (!secret) {
    context.res = json(500, { error: "The app setting SWITCHBOARD_AUTH_SECRET is not set: sign-in is unavailable." });
    return;
  }
  const name = checkName(bodyOf(req).name);
  if (name.error) return badRequest(context, name.error);
  const iat = Math.floor(Date.now() / 1000);
  const claims = { sub: name.value, name: name.value, iat, exp: iat + LIFETIME_S };
  if (process.env.SWITCHBOARD_AUTH_ISSUER) claims.iss = process.env.SWITCHBOARD_AUTH_ISSUER;
  if (process.env.SWITCHBOARD_AUTH_AUDIENCE) claims.aud = process.env.SWITCHBOARD_AUTH_AUDIENCE;
  context.log(`${name.value} signed in`);
  context.res = json(200, { token: signToken(claims, secret), name: name.value, userId: name.value, expiresAt: claims.exp * 1000 });
};
