// One function found in the app's classes: its method, how each parameter is bound, where its return
// value goes, and the function.json it stands for (as the Azure Functions Maven plugin writes it).
package switchboard.worker;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Method;
import java.lang.reflect.Type;
import java.util.List;

final class JavaFunction {
    enum Kind { HTTP_TRIGGER, CONNECTION_INFO, BINDING_NAME, EXECUTION_CONTEXT, OUTPUT }

    /** How one parameter gets its value. */
    static final class Parameter {
        final Kind kind;
        final String name; // the binding's name (BINDING_NAME: the binding data key)
        final Type type; // the declared type (OUTPUT: OutputBinding's type argument)
        final String outputType; // OUTPUT: "http" or "signalR"

        Parameter(Kind kind, String name, Type type, String outputType) {
            this.kind = kind;
            this.name = name;
            this.type = type;
            this.outputType = outputType;
        }
    }

    final String name;
    final Method method;
    final List<Parameter> parameters;
    final String returnType; // the $return binding's type ("http", "signalR"), or null
    final ObjectNode functionJson;

    JavaFunction(String name, Method method, List<Parameter> parameters, String returnType, ObjectNode functionJson) {
        this.name = name;
        this.method = method;
        this.parameters = parameters;
        this.returnType = returnType;
        this.functionJson = functionJson;
    }

    /** "com.example.Function.run", as entryPoint and in messages. */
    String entryPoint() {
        return method.getDeclaringClass().getName() + "." + method.getName();
    }
}
