// The worker's HTTP server (com.sun.net.httpserver, loopback only), the custom-handler protocol:
//
//   every request          must carry the x-switchboard-worker-secret header; else 403 and nothing runs
//                          (with x-switchboard-worker-proof when it carried x-switchboard-worker-challenge)
//   GET  /                 readiness probe (the host's, without the secret: 403 with the proof)
//   POST /<FunctionName>   {"Data": {...}, "Metadata": {...}}
//                          -> 200 {"Outputs": {...}, "ReturnValue": ..., "Logs": [...]}
//                          -> 500 {"error": "<exception>: <message>", "message": "<message>", "Logs": [...]}
package switchboard.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

final class WorkerServer {
    private final Map<String, JavaFunction> functions;
    private final Invoker invoker;
    private final ObjectMapper json;
    private final WorkerSecret secret;
    private final AtomicLong counter = new AtomicLong();

    WorkerServer(Map<String, JavaFunction> functions, Invoker invoker, ObjectMapper json, WorkerSecret secret) {
        this.functions = functions;
        this.invoker = invoker;
        this.json = json;
        this.secret = secret;
    }

    void start(int port) throws IOException {
        // Answers go out at once (TCP_NODELAY): without it, a response written as headers then body
        // waits for the host's delayed ACK (some 40 ms per call).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "invocation");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
        System.out.println("java worker listening on 127.0.0.1:" + server.getAddress().getPort() + " ("
                + functions.size() + " functions, Java " + System.getProperty("java.version") + ")");
        System.out.flush();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!secret.matches(exchange.getRequestHeaders().getFirst(WorkerSecret.HEADER))) {
                exchange.getRequestBody().readAllBytes(); // dropped unread: nothing of the request is used
                String challenge = exchange.getRequestHeaders().getFirst(WorkerSecret.CHALLENGE_HEADER);
                if (challenge != null) exchange.getResponseHeaders().set(WorkerSecret.PROOF_HEADER, secret.proof(challenge));
                send(exchange, 403, error("Forbidden: only the functions host may call this worker (" + WorkerSecret.HEADER + ")", null, null));
                return;
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String name = URLDecoder.decode(exchange.getRequestURI().getRawPath().substring(1), StandardCharsets.UTF_8);
            if (!exchange.getRequestMethod().equals("POST") || name.isEmpty()) {
                ObjectNode ready = json.createObjectNode();
                ready.put("worker", "java");
                ready.put("version", System.getProperty("java.version"));
                send(exchange, 200, ready);
                return;
            }
            JavaFunction function = functions.get(name);
            if (function == null) {
                send(exchange, 500, error("FunctionLoadError: cannot load the " + name + " function: no method of the app has @FunctionName(\""
                        + name + "\")", null, null));
                return;
            }
            JsonNode payload;
            try {
                payload = body.length == 0 ? json.createObjectNode() : json.readTree(body);
            } catch (IOException e) {
                send(exchange, 400, error("BadRequest: the invocation body is not JSON: " + e.getMessage(), null, null));
                return;
            }
            String id = exchange.getRequestHeaders().getFirst("x-azure-functions-invocationid");
            if (id == null) id = "local-" + counter.incrementAndGet();
            try {
                send(exchange, 200, invoker.invoke(function, payload, id));
            } catch (Invoker.Failure f) {
                send(exchange, 500, error(f.error, f.functionMessage, f.logs));
            }
        } catch (RuntimeException | Error e) {
            System.err.println("java worker: " + e);
            e.printStackTrace();
            try {
                send(exchange, 500, error("InternalError: " + e, null, null));
            } catch (IOException | RuntimeException ignored) {
                // the answer may have started already; the host sees a broken response
            }
        }
    }

    private ObjectNode error(String error, String message, List<String> logs) {
        ObjectNode e = json.createObjectNode();
        e.put("error", error);
        if (message != null) e.put("message", message);
        e.set("Logs", json.valueToTree(logs == null ? List.of() : logs));
        return e;
    }

    private void send(HttpExchange exchange, int status, JsonNode value) throws IOException {
        byte[] bytes = json.writeValueAsBytes(value);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
