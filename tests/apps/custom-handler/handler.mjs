// A custom handler (plain Node http server) for the integration tests: it speaks the Azure
// Functions custom-handler protocol on FUNCTIONS_CUSTOMHANDLER_PORT.
import http from 'node:http';

const port = Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT);

const handlers = {
  // Returns the connection info the signalRConnectionInfo binding produced.
  negotiate: (data) => ({ Outputs: { res: { statusCode: 200, body: data.connectionInfo } } }),
  // $return http output, signalR output: a broadcast of the body's text.
  broadcast: (data) => {
    const body = JSON.parse(data.req.Body ?? '{}');
    return {
      Outputs: { signalRMessages: [{ target: 'newMessage', arguments: [body.text ?? ''] }] },
      ReturnValue: { status: 202 },
      Logs: [`broadcast ${body.text}`],
    };
  },
  // The body is the signalR output value itself (item or array), to test every shape.
  messages: (data) => ({
    Outputs: { signalRMessages: JSON.parse(data.req.Body ?? 'null'), res: { statusCode: 200, body: 'sent' } },
  }),
  groups: (data) => ({
    Outputs: { signalRGroupActions: JSON.parse(data.req.Body ?? 'null'), res: { statusCode: 200 } },
  }),
};

http
  .createServer((req, res) => {
    let text = '';
    req.on('data', (chunk) => (text += chunk));
    req.on('end', () => {
      const name = decodeURIComponent(req.url.slice(1));
      const handler = handlers[name];
      if (!handler) {
        res.writeHead(req.url === '/' ? 200 : 404).end();
        return;
      }
      try {
        const payload = JSON.parse(text);
        const result = handler(payload.Data, payload.Metadata);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
      } catch (e) {
        res.writeHead(500).end(String(e));
      }
    });
  })
  .listen(port, '127.0.0.1', () => console.log(`custom handler listening on ${port}`));
