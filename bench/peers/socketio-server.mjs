// The Socket.IO 4 peer: Switchboard's REST jobs the way a Socket.IO user would write them.
// Clients connect with EIO=4&transport=websocket and ?user=U&group=G (joined as rooms);
// HTTP on the same port:
//   POST /broadcast   io.emit("bench", body)          (body parsed as JSON when it is JSON)
//   POST /groups/G    io.to("g:" + G).emit(...)
//   POST /users/U     io.to("u:" + U).emit(...)
// Each answers 202. Usage: node socketio-server.mjs [port] [redis://host:port]
// With a Redis URL the server is one node of a cluster: the @socket.io/redis-adapter (with the
// `redis` v4 client its README uses) relays every emit to the servers on the same Redis, so a POST
// to one server reaches the clients of all of them. "listening" is printed once the adapter's
// subscriber is connected.
import http from "node:http";
import { Server } from "socket.io";

const port = Number(process.argv[2] ?? 18082);
const redisUrl = process.argv[3];

const server = http.createServer((req, res) => {
  if (req.url.startsWith("/socket.io/")) return; // engine.io answers these
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    if (req.method !== "POST") { res.writeHead(405).end(); return; }
    const text = Buffer.concat(chunks).toString();
    let payload;
    try { payload = JSON.parse(text); } catch { payload = text; }
    if (req.url === "/broadcast") io.emit("bench", payload);
    else if (req.url.startsWith("/groups/")) io.to("g:" + decodeURIComponent(req.url.slice(8))).emit("bench", payload);
    else if (req.url.startsWith("/users/")) io.to("u:" + decodeURIComponent(req.url.slice(7))).emit("bench", payload);
    else { res.writeHead(404).end(); return; }
    res.writeHead(202).end();
  });
});

const io = new Server(server, { transports: ["websocket"], perMessageDeflate: false, httpCompression: false });
io.on("connection", (socket) => {
  const { user, group } = socket.handshake.query;
  if (user) socket.join("u:" + user);
  if (group) socket.join("g:" + group);
});

if (redisUrl) {
  const { createClient } = await import("redis");
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const pub = createClient({ url: redisUrl });
  const sub = pub.duplicate();
  pub.on("error", (e) => console.error("redis:", e.message));
  sub.on("error", (e) => console.error("redis:", e.message));
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
  await sub.ping(); // the adapter's PSUBSCRIBE/SUBSCRIBE were queued before this: it answers after them
}

server.listen(port, "127.0.0.1", () =>
  console.log(`socket.io peer listening on ${port}${redisUrl ? " (redis adapter " + redisUrl + ")" : ""}`));
process.on("SIGTERM", () => process.exit(0));
