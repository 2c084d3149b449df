// What the chat functions share: the sender's identity (the user id the negotiate function bound to the
// connection, as the SignalR trigger's invocation context carries it), input validation, JSON answers
// and the demo sign-in token.
// Not a function (no function.json): the host ignores this folder.
"use strict";

const crypto = require("node:crypto");

const MAX_TEXT = 2000;
const NAME_RULE = "A name is 1 to 32 characters: letters, digits, spaces, '.', '-' and '_'.";
const GROUP_RULE = "A group name is 1 to 64 characters: letters A-Z, digits, spaces, '-' and '_'.";
const NAME_RE = /^[\p{L}\p{N} ._-]{1,32}$/u;
const GROUP_RE = /^[A-Za-z0-9 _-]{1,64}$/;

/** An HTTP answer for context.res. */
function json(status, body) {
  return { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }, body };
}

/** The request body as an object (the worker parses JSON bodies; anything else counts as empty). */
function bodyOf(req) {
  const b = req && req.body;
  return b && typeof b === "object" && !Array.isArray(b) ? b : {};
}

/** Trimmed, inner runs of whitespace collapsed to one space; non-strings become "". */
function tidy(value) {
  return typeof value === "string" ? value.normalize("NFC").replace(/\s+/g, " ").trim() : "";
}

function checkName(value, what = "name") {
  const name = tidy(value);
  if (!name) return { error: `Please enter a ${what}.` };
  if (!NAME_RE.test(name)) return { error: NAME_RULE };
  return { value: name };
}

function checkGroup(value) {
  const group = tidy(value);
  if (!group) return { error: "Please enter a group name." };
  if (!GROUP_RE.test(group)) return { error: GROUP_RULE };
  return { value: group };
}

function checkText(value) {
  const text = typeof value === "string" ? value.trim() : "";
  if (!text) return { error: "The message is empty." };
  if (text.length > MAX_TEXT) return { error: `The message is too long (${text.length} characters; at most ${MAX_TEXT}).` };
  return { value: text };
}

/**
 * The sender of a SignalR trigger invocation: the user id that negotiate bound to the connection (from
 * the verified bearer token; a client cannot choose it). The user id is the name (README.md).
 */
function senderOf(invocation) {
  const id = invocation && invocation.UserId;
  if (!id) throw new Error("Please sign in first.");
  return { userId: id, name: id };
}

/** The value of a check, or the check's message thrown (a trigger function's error reaches the caller). */
function valid(check) {
  if (check.error) throw new Error(check.error);
  return check.value;
}

/** Validation failure: 400 with a message the page shows as is. */
function badRequest(context, message) {
  context.res = json(400, { error: message });
}

const now = () => new Date().toISOString();

const b64url = (data) => Buffer.from(data).toString("base64url");

/** An HS256 JWT (what an identity provider would issue; see README.md). */
function signToken(claims, secret) {
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(JSON.stringify(claims));
  const signature = crypto.createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

module.exports = { MAX_TEXT, json, bodyOf, checkName, checkGroup, checkText, senderOf, valid, badRequest, now, signToken };
