// Helpers for the signalRTrigger tests (functions-trigger*.test.mjs): the test plays the SignalR
// service and POSTs upstream events to the host's webhook itself, signed as the reference says
// (X-ASRS-* headers, X-ASRS-Signature = "sha256=" + HEX(HMAC-SHA256(access key, connection id))).
//
//   startTriggerHost   a functions host (startHost) plus the signalr_extension key from its banner
//   signature          the X-ASRS-Signature of a connection id for an access key
//   webhook            one POST /runtime/webhooks/signalr (fetch), body and headers as the service sends them
//   jsonInvocation / msgpackInvocation    the client's Invocation without framing
//   completionOf       the framed CompletionMessage of a webhook answer, parsed (JSON or MessagePack)
import crypto from "node:crypto";
import assert from "node:assert/strict";
import * as msgpack from "@microsoft/signalr-protocol-msgpack";
import { signalR, uid } from "./helpers.mjs";
import { startHost } from "./functions-helpers.mjs";

const msgpackProtocol = new msgpack.MessagePackHubProtocol();

export async function startTriggerHost(opts) {
  const host = await startHost(opts);
  const m = /signalr_extension key:\s+(\S+)/.exec(host.stdout);
  assert.ok(m, `no signalr_extension key in the banner:\n${host.stdout}`);
  host.keys.signalr = m[1];
  return host;
}

export function signature(accessKey, connectionId) {
  return "sha256=" + crypto.createHmac("sha256", accessKey).update(connectionId).digest("hex").toUpperCase();
}

export function jsonInvocation(target, args = [], invocationId) {
  const message = { type: 1, target, arguments: args };
  if (invocationId !== undefined) message.invocationId = invocationId;
  return JSON.stringify(message);
}

/** The MessagePack Invocation without its varint length prefix, as the service sends it. */
export function msgpackInvocation(target, args = [], invocationId) {
  const framed = Buffer.from(
    msgpackProtocol.writeMessage({ type: 1, invocationId, target, arguments: args, headers: {}, streamIds: [] }),
  );
  let i = 0;
  while (framed[i] & 0x80) i++;
  return framed.subarray(i + 1);
}

/**
 * POST an event to the host's webhook. opts:
 *   key (default host.keys.signalr; null: none), keyIn "code" | "header"
 *   hub, category, event (null: header left out), connectionId, accessKey (signs; default the
 *   host's service key), sig (the header as given, overrides), userId, claims, query,
 *   contentType, body (string | Buffer), path (default /runtime/webhooks/signalr), method
 * Resolves with {status, statusText, headers, bytes, text, json}.
 */
export async function webhook(host, opts = {}) {
  const {
    keyIn = "code",
    hub = "chat",
    category = "messages",
    event = "broadcast",
    connectionId = uid("conn-"),
    contentType = "application/json",
    method = "POST",
  } = opts;
  const key = opts.key === undefined ? host.keys.signalr : opts.key;
  let url = `http://127.0.0.1:${host.port}${opts.path ?? "/runtime/webhooks/signalr"}`;
  const headers = {};
  if (key !== null) {
    if (keyIn === "code") url += `?code=${encodeURIComponent(key)}`;
    else headers["x-functions-key"] = key;
  }
  if (contentType !== null) headers["Content-Type"] = contentType;
  if (hub !== null) headers["X-ASRS-Hub"] = hub;
  if (category !== null) headers["X-ASRS-Category"] = category;
  if (event !== null) headers["X-ASRS-Event"] = event;
  if (connectionId !== null) headers["X-ASRS-Connection-Id"] = connectionId;
  const accessKey = opts.accessKey ?? host.service.key;
  const sig = opts.sig !== undefined ? opts.sig : signature(accessKey, connectionId ?? "");
  if (sig !== null) headers["X-ASRS-Signature"] = sig;
  if (opts.userId) headers["X-ASRS-User-Id"] = opts.userId;
  if (opts.claims) headers["X-ASRS-User-Claims"] = opts.claims;
  if (opts.query) headers["X-ASRS-Client-Query"] = opts.query;
  let body = opts.body;
  if (body === undefined)
    body = category === "messages" ? jsonInvocation(event ?? "x", ["hello"]) : JSON.stringify({ type: 10 });
  const res = await fetch(url, { method, headers, body: method === "GET" ? undefined : body });
  const bytes = Buffer.from(await res.arrayBuffer());
  const text = bytes.toString("utf8");
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, statusText: res.statusText, headers: res.headers, bytes, text, json };
}

/** Assert a webhook status, printing the answer on mismatch. */
export function expectHook(res, status, what = "", errorPattern) {
  assert.equal(res.status, status, `${what}: expected ${status}, got ${res.status} ${res.statusText}: ${res.text.slice(0, 500)}`);
  if (errorPattern) assert.match(res.json?.error ?? "", errorPattern, `${what}: the error names the problem`);
}

/** The one CompletionMessage a 200 answer carries (JSON record with 0x1E, or MessagePack with its prefix). */
export function completionOf(res, protocol = "json") {
  assert.equal(res.status, 200, `completion expected, got ${res.status}: ${res.text.slice(0, 500)}`);
  assert.equal(res.headers.get("content-type"), null, "a completion has no content type");
  if (protocol === "json") {
    assert.ok(res.text.endsWith("\x1e"), `a JSON completion ends with the record separator: ${JSON.stringify(res.text)}`);
    const records = res.text.split("\x1e").filter(Boolean);
    assert.equal(records.length, 1, "exactly one record");
    const message = JSON.parse(records[0]);
    assert.equal(message.type, 3);
    return message;
  }
  const ab = res.bytes.buffer.slice(res.bytes.byteOffset, res.bytes.byteOffset + res.bytes.length);
  const messages = msgpackProtocol.parseMessages(ab, signalR.NullLogger.instance);
  assert.equal(messages.length, 1, "exactly one MessagePack record");
  assert.equal(messages[0].type, 3);
  return messages[0];
}
