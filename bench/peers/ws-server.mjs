// The `ws` peer: a plain Node WebSocket server doing Switchboard's REST jobs the way a `ws` user
// would write them. Clients connect to ws://127.0.0.1:PORT/?user=U&group=G; HTTP on the same port:
//   POST /broadcast        send the body (a text frame) to every client
//   POST /groups/G         send the body to the clients that joined group G
//   POST /users/U          send the body to user U's clients
// Each answers 202. Usage: node ws-server.mjs [port]
import http from "node:http";
import { WebSocketServer } from "ws";

const port = Number(process.argv[2] ?? 18081);
const groups = new Map(); // group -> Set<ws>
const users = new Map(); // user -> Set<ws>

function add(map, key, ws) {
  if (!key) return;
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(ws);
}
function remove(map, key, ws) {
  const set = key && map.get(key);
  if (set) { set.delete(ws); if (set.size === 0) map.delete(key); }
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    if (req.method !== "POST") { res.writeHead(405).end(); return; }
    const body = Buffer.concat(chunks).toString();
    let targets;
    if (req.url === "/broadcast") targets = wss.clients;
    else if (req.url.startsWith("/groups/")) targets = groups.get(decodeURIComponent(req.url.slice(8))) ?? [];
    else if (req.url.startsWith("/users/")) targets = users.get(decodeURIComponent(req.url.slice(7))) ?? [];
    else { res.writeHead(404).end(); return; }
    for (const ws of targets) if (ws.readyState === 1) ws.send(body);
    res.writeHead(202).end();
  });
});

const wss = new WebSocketServer({ server, perMessageDeflate: false });
wss.on("connection", (ws, req) => {
  const q = new URL(req.url, "http://x").searchParams;
  const user = q.get("user"), group = q.get("group");
  add(users, user, ws); add(groups, group, ws);
  ws.on("close", () => { remove(users, user, ws); remove(groups, group, ws); });
  ws.on("error", () => {});
});

server.listen(port, "127.0.0.1", () => console.log(`ws peer listening on ${port}`));
process.on("SIGTERM", () => process.exit(0));
