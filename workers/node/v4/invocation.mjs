// Runs one invocation of a function registered through `@azure/functions-core` (Node.js model v4): the
// custom-handler payload the host sends ({"Data": {binding: value}, "Metadata": {...}}) becomes the request
// the programming model reads (inputData as typed data, triggerMetadata), the app's preInvocation hooks run,
// then the handler through the model, then the postInvocation hooks; the model's response (outputData,
// returnValue) becomes {"Outputs", "ReturnValue", "Logs"} as the host reads them.
//
// Typed data: a string is {string}, bytes {bytes}, a number {int} or {double}, anything else {json}; an
// HTTP request is {http: {method, url, headers, query, params, body}}. Back: an http output's
// {http: {statusCode, headers, cookies, body}} becomes {statusCode, headers, body (base64), bodyEncoding}.
import { runHooks } from "./core_api.mjs";

const lower = (s) => String(s).toLowerCase();

function toTyped(value) {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return { string: value };
  if (Buffer.isBuffer(value)) return { bytes: value };
  if (typeof value === "number") return Number.isInteger(value) ? { int: value } : { double: value };
  return { json: JSON.stringify(value) };
}

function find(data, name) {
  if (name in data) return data[name];
  const key = Object.keys(data).find((k) => lower(k) === lower(name));
  return key === undefined ? undefined : data[key];
}

/** The host's HTTP request object -> typed data {http: ...} (header values joined as one string each). */
function httpTyped(value) {
  if (!value || typeof value !== "object") return undefined;
  const headers = {};
  for (const [k, v] of Object.entries(find(value, "Headers") ?? {})) headers[lower(k)] = Array.isArray(v) ? v.join(", ") : String(v);
  const text = (m) => Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k, String(v)]));
  const raw = find(value, "Body");
  const base64 = lower(find(value, "BodyEncoding") ?? "") === "base64";
  let body;
  if (typeof raw === "string") body = { bytes: base64 ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8") };
  else if (raw !== undefined && raw !== null) body = { bytes: Buffer.from(JSON.stringify(raw), "utf8") };
  return {
    http: {
      method: find(value, "Method") ?? "GET",
      url: find(value, "Url") ?? "http://localhost/",
      headers,
      query: text(find(value, "Query")),
      params: text(find(value, "Params")),
      body,
    },
  };
}

/**
 * Typed data -> a plain JSON value (bytes as UTF-8 text). For an output binding, text that is JSON stands
 * for what it holds (context.extraOutputs.set("signalR", JSON.stringify(...))); a return value stays text.
 */
function fromTyped(data, { parseText = true } = {}) {
  if (!data) return undefined;
  if (data.string !== undefined && data.string !== null) {
    if (!parseText) return data.string;
    try {
      return JSON.parse(data.string);
    } catch {
      return data.string;
    }
  }
  if (data.json !== undefined && data.json !== null) return JSON.parse(data.json);
  if (data.bytes !== undefined && data.bytes !== null) return Buffer.from(data.bytes).toString("utf8");
  if (data.int !== undefined && data.int !== null) return Number(data.int);
  if (data.double !== undefined && data.double !== null) return Number(data.double);
  if (data.http) return fromHttp(data.http);
  return undefined;
}

const unwrap = (nullable) => (nullable && typeof nullable === "object" && "value" in nullable ? nullable.value : nullable);

/** A cookie of the model's response -> one Set-Cookie value. */
function setCookie(cookie) {
  let text = `${cookie.name}=${cookie.value}`;
  const domain = unwrap(cookie.domain);
  const cookiePath = unwrap(cookie.path);
  const expires = unwrap(cookie.expires);
  const maxAge = unwrap(cookie.maxAge);
  if (domain) text += `; Domain=${domain}`;
  if (cookiePath) text += `; Path=${cookiePath}`;
  if (expires !== undefined && expires !== null) {
    const date = expires instanceof Date ? expires : new Date(typeof expires === "object" && "seconds" in expires ? Number(expires.seconds) * 1000 : expires);
    if (!Number.isNaN(date.getTime())) text += `; Expires=${date.toUTCString()}`;
  }
  if (maxAge !== undefined && maxAge !== null) text += `; Max-Age=${Math.trunc(Number(maxAge))}`;
  if (unwrap(cookie.secure)) text += "; Secure";
  if (unwrap(cookie.httpOnly)) text += "; HttpOnly";
  const sameSite = lower(cookie.sameSite ?? "");
  if (sameSite === "lax") text += "; SameSite=Lax";
  else if (sameSite === "strict") text += "; SameSite=Strict";
  else if (sameSite === "explicitnone") text += "; SameSite=None";
  return text;
}

/** The model's {http: ...} response -> {statusCode, headers, body, bodyEncoding} (the body byte-exact). */
function fromHttp(http) {
  const out = { statusCode: Number(http.statusCode ?? 200) };
  const headers = {};
  for (const [k, v] of Object.entries(http.headers ?? {})) headers[k] = String(v);
  const cookies = (http.cookies ?? []).map(setCookie);
  if (cookies.length) headers["set-cookie"] = cookies;
  out.headers = headers;
  const body = http.body;
  if (body?.bytes !== undefined && body.bytes !== null) {
    out.body = Buffer.from(body.bytes).toString("base64");
    out.bodyEncoding = "base64";
  } else if (body?.string !== undefined && body.string !== null) out.body = body.string;
  else out.body = null;
  return out;
}

function outputValue(binding, data, options) {
  if (data === undefined || data === null) return lower(binding?.type) === "http" ? null : undefined;
  return fromTyped(data, options);
}

const LEVEL_PREFIX = { trace: "[trace] ", debug: "[debug] ", information: "", warning: "[warn] ", error: "[error] ", critical: "[critical] " };

/**
 * Invokes the registered function `entry` of `core` with the host's payload. Resolves with the
 * custom-handler answer; rejects with an Error carrying `logs`, `userError` and `functionMessage` (the
 * thrown error's own message) when the function (or a hook) fails.
 */
export async function invokeRegistered(core, appHookData, name, entry, payload, invocationId) {
  const data = payload?.Data ?? payload?.data ?? {};
  const metadata = payload?.Metadata ?? payload?.metadata ?? {};
  const bindings = entry.metadata.bindings;
  const logs = [];
  let finished = false;
  const coreCtx = {
    invocationId,
    state: undefined,
    metadata: { ...entry.metadata, name },
    request: {
      invocationId,
      functionId: name,
      inputData: [],
      triggerMetadata: {},
      traceContext: { traceParent: "", traceState: "", attributes: {} },
    },
    log(level, category, message) {
      const text = `${LEVEL_PREFIX[level] ?? `[${level}] `}${message}`;
      if (category === "system") {
        if (["warning", "error", "critical"].includes(level)) process.stdout.write(`Functions.${name}: ${text}\n`);
      } else if (finished) process.stdout.write(`Functions.${name}: ${text}\n`);
      else logs.push(text);
    },
  };
  for (const [bindingName, binding] of Object.entries(bindings)) {
    if (lower(binding.direction) !== "in") continue;
    const value = find(data, bindingName);
    const typed = lower(binding.type) === "httptrigger" ? httpTyped(value) : toTyped(value);
    coreCtx.request.inputData.push({ name: bindingName, data: typed });
  }
  for (const [key, value] of Object.entries(metadata)) {
    const typed = toTyped(value);
    if (typed) coreCtx.request.triggerMetadata[key] = typed;
  }

  const fail = (err) => {
    finished = true;
    process.stderr.write(`Functions.${name} (Id=${invocationId}) failed: ${err?.stack || err}\n`);
    const e = new Error(err instanceof Error ? `${err.name || "Error"}: ${err.message}` : `Error: ${String(err)}`);
    e.logs = logs;
    e.userError = true;
    e.functionMessage = err instanceof Error ? err.message : String(err);
    return e;
  };

  const model = core.programmingModel().getInvocationModel(coreCtx);
  let context;
  let inputs;
  let handler = entry.callback;
  const hookData = {};
  try {
    ({ context, inputs } = await model.getArguments());
    coreCtx.state = "preInvocationHooks";
    const pre = { hookData, appHookData, invocationContext: context, inputs, functionCallback: handler };
    await runHooks(core, "preInvocation", pre);
    inputs = pre.inputs;
    handler = pre.functionCallback;
  } catch (e) {
    throw fail(e);
  }
  coreCtx.state = "invocation";
  let result;
  let error;
  try {
    result = await model.invokeFunction(context, inputs, handler);
  } catch (e) {
    error = e ?? new Error("the function's promise was rejected with no reason");
  }
  coreCtx.state = "postInvocationHooks";
  const post = { hookData, appHookData, invocationContext: context, inputs, result, error };
  try {
    await runHooks(core, "postInvocation", post);
  } catch (e) {
    throw fail(e);
  }
  if (post.error !== undefined && post.error !== null) throw fail(post.error);
  let response;
  try {
    response = await model.getResponse(context, post.result);
  } catch (e) {
    throw fail(e);
  }
  finished = true;

  const outputs = {};
  for (const { name: bindingName, data: typed } of response.outputData ?? []) {
    const value = outputValue(bindings[bindingName], typed);
    if (value !== undefined) outputs[bindingName] = value;
  }
  const returnBinding = bindings.$return;
  let returnValue = outputValue(returnBinding, response.returnValue, { parseText: returnBinding !== undefined });
  if (returnValue === undefined) returnValue = null;
  return { Outputs: outputs, ReturnValue: returnValue, Logs: logs };
}
