// Custom handler of the functions-matrix test app (tests/integration/functions-*.test.mjs): a plain
// Node http server speaking the Azure Functions custom-handler protocol on FUNCTIONS_CUSTOMHANDLER_PORT.
// Most functions pass the request body straight through as an output value, so that the tests can
// drive every output shape from outside.
import http from 'node:http';

const port = Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT);
const PRINCIPAL = ['x-ms-client-principal', 'x-ms-client-principal-id', 'x-ms-client-principal-name', 'x-ms-client-principal-idp'];

const body = (data) => (data.req.Body === undefined ? null : JSON.parse(data.req.Body));

const handlers = {
  // The principal headers the function was given (header values are arrays in the protocol).
  whoami: (data) => {
    const seen = {};
    for (const [name, values] of Object.entries(data.req.Headers ?? {}))
      if (PRINCIPAL.includes(name.toLowerCase())) seen[name.toLowerCase()] = [].concat(values).join(',');
    return { Outputs: { res: { statusCode: 200, body: seen } } };
  },
  // $return http output, signalR output: a broadcast of the body's text.
  broadcast: (data) => {
    const b = body(data) ?? {};
    return {
      Outputs: { signalRMessages: [{ target: 'newMessage', arguments: [b.text ?? ''] }] },
      ReturnValue: { status: 202 },
      Logs: [`broadcast ${b.text}`],
    };
  },
  adminOnly: () => ({ Outputs: { res: { statusCode: 200, body: 'admin ok' } } }),
  // The body IS the signalR output value (item, array, JSON string, anything).
  messages: (data) => ({ Outputs: { signalRMessages: body(data), res: { statusCode: 200, body: 'sent' } } }),
  groups: (data) => ({ Outputs: { signalRGroupActions: body(data), res: { statusCode: 200 } } }),
  toHub: (data) => ({ Outputs: { signalRMessages: body(data), res: { statusCode: 200 } } }),
  noHttpOutput: (data) => ({ Outputs: { signalRMessages: body(data) } }),
  twoOutputs: (data) => {
    const b = body(data);
    return { Outputs: { first: b.first, second: b.second, res: { statusCode: 200 } } };
  },
  // The signalR binding is named $return: the body is the return value.
  returnMessages: (data) => ({ Outputs: { res: { statusCode: 200, body: 'returned' } }, ReturnValue: body(data) }),
  // The http binding is named $return: the body is the response value.
  httpShapes: (data) => ({ ReturnValue: body(data) }),
  crash: () => {
    console.error('crash requested: exiting');
    process.exit(1);
  },
};

http
  .createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      if (req.url === '/') return res.writeHead(200).end();
      const name = decodeURIComponent(req.url.slice(1));
      try {
        const payload = JSON.parse(text);
        // Every negotiate* function answers with the connection info its binding produced.
        const handler =
          handlers[name] ?? (payload.Data?.connectionInfo ? (d) => ({ Outputs: { res: { statusCode: 200, body: d.connectionInfo } } }) : null);
        if (!handler) return res.writeHead(404).end(`no handler for ${name}`);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(handler(payload.Data, payload.Metadata)));
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    });
  })
  .listen(port, '127.0.0.1', () => console.log(`matrix handler listening on ${port}`));
