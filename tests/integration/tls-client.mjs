// A SignalR client in its own node process, for tests/integration/tls.test.mjs: the CA of a test
// certificate is trusted through NODE_EXTRA_CA_CERTS, which node reads only at start. Connects
// with the official @microsoft/signalr client as argv[2] (JSON: url, token?, transport, targets)
// says, reports on stdout one JSON line per event (connected, message, result, error, closed), and
// takes commands on stdin, one JSON line each: {"op":"invoke","method":...,"args":[...]} or
// {"op":"stop"}.
import readline from "node:readline";
import * as signalR from "@microsoft/signalr";

const config = JSON.parse(process.argv[2]);
const report = (event) => process.stdout.write(JSON.stringify(event) + "\n");

const options = { transport: signalR.HttpTransportType[config.transport] };
if (config.token) options.accessTokenFactory = () => config.token;
const connection = new signalR.HubConnectionBuilder()
  .withUrl(config.url, options)
  .configureLogging(signalR.LogLevel.Warning)
  .build();
for (const target of config.targets ?? []) {
  connection.on(target, (...args) => report({ event: "message", target, args }));
}
connection.onclose((error) => {
  report({ event: "closed", error: error ? String(error) : null });
  process.exit(0);
});

try {
  await connection.start();
  const transport = connection.connection?.transport?.constructor?.name ?? null;
  report({ event: "connected", connectionId: connection.connectionId, transport });
} catch (error) {
  report({ event: "error", error: String(error) });
  process.exit(1);
}

const input = readline.createInterface({ input: process.stdin });
input.on("line", async (line) => {
  const command = JSON.parse(line);
  if (command.op === "stop") {
    await connection.stop();
    return;
  }
  try {
    const result = await connection.invoke(command.method, ...(command.args ?? []));
    report({ event: "result", id: command.id, result });
  } catch (error) {
    report({ event: "error", id: command.id, error: String(error) });
  }
});
