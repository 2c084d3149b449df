// Switchboard's Java language worker. The functions host runs it in two ways (docs/java.md):
//
//   describe CLASSES   prints {"name": function.json, ...} for every @FunctionName method of the app's
//                      compiled classes (as the Azure Functions Maven plugin generates them), or the
//                      declaration mistake on stderr with exit status 3
//   serve CLASSES      the long-lived worker: an HTTP server on 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT
//                      speaking the custom-handler protocol (WorkerServer.java)
//
// The classpath holds the app's classes compiled with this library, and Jackson (Debian's
// libjackson2-databind-java) for JSON.
package switchboard.worker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !(args[0].equals("describe") || args[0].equals("serve"))) {
            System.err.println("usage: java switchboard.worker.Main describe|serve CLASSES_DIR");
            System.exit(2);
        }
        ObjectMapper json = mapper();
        Map<String, JavaFunction> functions;
        try {
            functions = new FunctionCatalog(json).scan(Path.of(args[1]));
        } catch (FunctionCatalog.DeclarationError e) {
            System.err.println(e.getMessage());
            System.exit(3);
            return;
        }
        if (args[0].equals("describe")) {
            ObjectNode all = json.createObjectNode();
            functions.forEach((name, f) -> all.set(name, f.functionJson));
            System.out.println(json.writerWithDefaultPrettyPrinter().writeValueAsString(all));
            return;
        }
        WorkerSecret secret = WorkerSecret.takeFromEnvironment();
        if (secret == null) {
            System.err.println("java worker: " + WorkerSecret.VARIABLE + " is not set; only the functions host can start this worker");
            System.exit(2);
        }
        String port = System.getenv().getOrDefault("FUNCTIONS_CUSTOMHANDLER_PORT", "0");
        try {
            new WorkerServer(functions, new Invoker(json), json, secret).start(Integer.parseInt(port));
        } catch (IOException e) {
            // Another program took the port after the host chose it: end at once (threads the app's
            // classes may have started do not hold the JVM), and the host's next start gives another port.
            System.err.println("java worker: cannot listen on 127.0.0.1:" + port + ": " + e);
            System.exit(1);
        }
    }

    /**
     * Fields an object leaves null (a SignalRMessage's userId, ...) are left out, as Azure's worker does;
     * nulls inside maps and lists (a posted JSON body's) are kept.
     */
    static ObjectMapper mapper() {
        ObjectMapper json = new ObjectMapper();
        json.setDefaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS));
        json.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        return json;
    }
}
