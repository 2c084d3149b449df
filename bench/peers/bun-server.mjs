// The Bun peer: Bun's built-in WebSocket server (uWebSockets inside) doing Switchboard's REST jobs the
// way a Bun user would write them: topics for the broadcast and for groups (`server.publish`: one frame
// built once, corked writes), a map for users. Clients connect to ws://127.0.0.1:PORT/?user=U&group=G;
// HTTP on the same port:
//   POST /broadcast        send the body (a text frame) to every client
//   POST /groups/G         send the body to the clients that joined group G
//   POST /users/U          send the body to user U's clients
// Each answers 202. Usage: node_modules/@oven/bun-linux-x64/bin/bun bun-server.mjs [port]
const port = Number(process.argv[2] ?? 18083);
const users = new Map(); // user -> Set<ServerWebSocket>

const server = Bun.serve({
  hostname: "127.0.0.1",
  port,
  async fetch(req, server) {
    const url = new URL(req.url);
    if (req.headers.get("upgrade")?.toLowerCase() === "websocket") {
      const user = url.searchParams.get("user"), group = url.searchParams.get("group");
      if (server.upgrade(req, { data: { user, group } })) return undefined;
      return new Response("upgrade failed", { status: 400 });
    }
    if (req.method !== "POST") return new Response(null, { status: 405 });
    const body = await req.text();
    const path = url.pathname;
    if (path === "/broadcast") server.publish("all", body);
    else if (path.startsWith("/groups/")) server.publish("g:" + decodeURIComponent(path.slice(8)), body);
    else if (path.startsWith("/users/")) {
      for (const ws of users.get(decodeURIComponent(path.slice(7))) ?? []) ws.send(body);
    } else return new Response(null, { status: 404 });
    return new Response(null, { status: 202 });
  },
  websocket: {
    perMessageDeflate: false,
    open(ws) {
      const { user, group } = ws.data;
      ws.subscribe("all");
      if (group) ws.subscribe("g:" + group);
      if (user) {
        let set = users.get(user);
        if (!set) users.set(user, (set = new Set()));
        set.add(ws);
      }
    },
    message() {},
    close(ws) {
      const { user } = ws.data;
      const set = user && users.get(user);
      if (set) { set.delete(ws); if (set.size === 0) users.delete(user); }
    },
  },
});

console.log(`bun peer listening on ${server.port}`);
process.on("SIGTERM", () => process.exit(0));
