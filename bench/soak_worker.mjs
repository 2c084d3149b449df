// One process of the soak benchmark (bench/soak.py): holds clients [first, first + count) of the
// run as WebSocket connections speaking the JSON hub protocol by hand (the `ws` package; the
// official client costs too much memory per connection for 15,000), joins each to its group
// through the REST API, checks the sequence numbers of what each must receive (broadcasts, its
// user's sends, its group's sends), reconnects a share of its clients every minute on purpose,
// and prints one JSON line of counters every `--report` seconds.
//
// Usage: node bench/soak_worker.mjs --port P --key K --first N --count M --groups G
//        [--hub soak] [--reconnect-percent 5] [--concurrency 50] [--report 10]
import crypto from "node:crypto";
import http from "node:http";
import WebSocket from "ws";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, value, i, all) => {
    if (i % 2 === 0) pairs.push([value.replace(/^--/, ""), all[i + 1]]);
    return pairs;
  }, []),
);
const port = Number(args.port);
const key = args.key;
const hub = args.hub ?? "soak";
const first = Number(args.first ?? 0);
const count = Number(args.count ?? 100);
const groups = Number(args.groups ?? 100);
const reconnectPercent = Number(args["reconnect-percent"] ?? 5);
const concurrency = Number(args.concurrency ?? 50);
const reportSeconds = Number(args.report ?? 10);
const RS = "\x1e";

const b64url = (text) => Buffer.from(text).toString("base64url");
function mint(aud, user) {
  const now = Math.floor(Date.now() / 1000);
  const payload = { aud, iat: now, nbf: now, exp: now + 86400 };
  if (user) payload["asrs.s.uid"] = user;
  const input = `${b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${crypto.createHmac("sha256", Buffer.from(key)).update(input).digest("base64url")}`;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
function request(method, path, token) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: "127.0.0.1", port, method, path, agent, headers: { Authorization: `Bearer ${token}`, "Content-Length": 0 } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode, body }));
      },
    );
    req.setTimeout(30000, () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on("error", reject);
    req.end();
  });
}

const counters = {
  connected: 0, received: 0, lost: 0, disordered: 0, duplicated: 0, unexpected_disconnects: 0,
  planned_reconnects: 0, connect_failures: 0, errors: [],
};
function error(text) {
  if (counters.errors.length < 5) counters.errors.push(text);
}

// One stream of numbered messages as one connection sees it: the first message sets the start
// (a client cannot know what was sent before it joined); after that every number must follow.
function checkSequence(state, name, seq) {
  const last = state[name];
  state[name] = Math.max(last ?? seq, seq);
  if (last === undefined) return;
  if (seq === last + 1) return;
  if (seq > last + 1) counters.lost += seq - last - 1;
  else if (seq === last) counters.duplicated += 1;
  else counters.disordered += 1;
}

class Client {
  constructor(index) {
    this.index = index;
    this.user = `user${index}`;
    this.group = `group${index % groups}`;
    this.token = mint(`http://localhost/client/?hub=${hub}`, this.user);
  }

  async connect() {
    const negotiate = await request("POST", `/client/negotiate?hub=${hub}&negotiateVersion=1`, this.token);
    if (negotiate.status !== 200) throw new Error(`negotiate: ${negotiate.status} ${negotiate.body}`);
    const { connectionId, connectionToken } = JSON.parse(negotiate.body);
    const ws = new WebSocket(
      `ws://127.0.0.1:${port}/client/?hub=${hub}&id=${connectionToken}&access_token=${this.token}`,
      { perMessageDeflate: false },
    );
    this.ws = ws;
    this.ready = false;
    this.sequences = {};
    this.leaving = false;
    let buffer = "";
    let counted = false;
    await new Promise((resolve, reject) => {
      let handshaken = false;
      ws.on("open", () => ws.send(`{"protocol":"json","version":1}${RS}`));
      ws.on("message", (data) => {
        if (this.ws !== ws) return;  // the rest of a connection being replaced
        buffer += data.toString();
        let end;
        while ((end = buffer.indexOf(RS)) >= 0) {
          const record = buffer.slice(0, end);
          buffer = buffer.slice(end + 1);
          if (!handshaken) {
            handshaken = true;
            if (record !== "{}") reject(new Error(`handshake: ${record}`));
            else {
              counted = true;
              counters.connected += 1;
              resolve();
            }
            continue;
          }
          this.onRecord(JSON.parse(record));
        }
      });
      ws.on("error", (e) => reject(e));
      ws.on("close", (code) => {
        if (!handshaken) reject(new Error(`closed before the handshake (${code})`));
        if (counted) counters.connected -= 1;
        if (this.ws !== ws) return;
        this.ws = null;
        this.ready = false;
        if (!this.leaving) {
          counters.unexpected_disconnects += 1;
          error(`client ${this.index} closed by the service: ${code}`);
          queue.push(this);
          pump();
        }
      });
    });
    const path = `/api/hubs/${hub}/groups/${this.group}/connections/${connectionId}?api-version=2022-06-01`;
    const join = await request("PUT", path, mint(`http://localhost${path}`));
    if (join.status !== 200) throw new Error(`group join: ${join.status} ${join.body}`);
    this.ready = true;
  }

  onRecord(record) {
    if (record.type !== 1) return;  // pings
    counters.received += 1;
    const [stream, seq] = record.arguments;
    checkSequence(this.sequences, stream, seq);
  }

  // A planned reconnect: close, then connect again (a new connection id, new sequences).
  reconnect() {
    if (!this.ws || !this.ready) return;
    this.ready = false;
    this.leaving = true;
    counters.planned_reconnects += 1;
    this.ws.close(1000);
    queue.push(this);
    pump();
  }
}

// Connects waiting clients, `concurrency` at a time; a failed connect is retried after a second.
const queue = [];
let inFlight = 0;
function pump() {
  while (inFlight < concurrency && queue.length > 0) {
    const client = queue.shift();
    inFlight += 1;
    client
      .connect()
      .catch((e) => {
        counters.connect_failures += 1;
        error(`client ${client.index}: ${e.message}`);
        if (client.ws) {
          client.leaving = true;
          client.ws.terminate();
        }
        setTimeout(() => {
          queue.push(client);
          pump();
        }, 1000);
      })
      .finally(() => {
        inFlight -= 1;
        pump();
      });
  }
}

const clients = [];
for (let i = 0; i < count; i++) clients.push(new Client(first + i));
queue.push(...clients);
pump();

// Pings: the service closes a client silent for --client-timeout-interval.
setInterval(() => {
  for (const client of clients) if (client.ws && client.ws.readyState === WebSocket.OPEN) client.ws.send(`{"type":6}${RS}`);
}, 10000);

// Planned reconnects: reconnect-percent of the clients per minute, spread over the minute.
if (reconnectPercent > 0) {
  const perSecond = (count * reconnectPercent) / 100 / 60;
  let owed = 0;
  setInterval(() => {
    owed += perSecond;
    for (; owed >= 1; owed -= 1) clients[Math.floor(Math.random() * clients.length)].reconnect();
  }, 1000);
}

setInterval(() => {
  process.stdout.write(`${JSON.stringify({ ...counters, waiting: queue.length + inFlight })}\n`);
  counters.errors = [];
}, reportSeconds * 1000);

process.on("SIGTERM", () => {
  for (const client of clients) {
    client.leaving = true;
    client.ws?.terminate();
  }
  process.stdout.write(`${JSON.stringify({ ...counters, final: true })}\n`);
  process.exit(0);
});
