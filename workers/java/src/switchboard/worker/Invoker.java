// Runs one invocation: binds each parameter from the payload's Data and Metadata (the request, the
// connection info, binding data, the context, output holders), calls the method by reflection, and
// turns its return value and outputs into the custom-handler answer {Outputs, ReturnValue, Logs}.
package switchboard.worker;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.OutputBinding;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

final class Invoker {
    /** A failed invocation: error is "<exception class>: <message>", message the function's own text. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final String error;
        final String functionMessage;
        final List<String> logs;

        Failure(String error, String functionMessage, List<String> logs, Throwable cause) {
            super(error, cause);
            this.error = error;
            this.functionMessage = functionMessage;
            this.logs = logs;
        }
    }

    private static final class Holder<T> implements OutputBinding<T> {
        private T value;

        @Override
        public T getValue() {
            return value;
        }

        @Override
        public void setValue(T value) {
            this.value = value;
        }
    }

    private final ObjectMapper json;

    Invoker(ObjectMapper json) {
        this.json = json;
    }

    ObjectNode invoke(JavaFunction function, JsonNode payload, String invocationId) throws Failure {
        JsonNode data = field(payload, "Data");
        JsonNode metadata = field(payload, "Metadata");
        InvocationContext context = new InvocationContext(function.name, invocationId);
        Object[] args = new Object[function.parameters.size()];
        Object result;
        try {
            JsonNode request = null;
            for (JavaFunction.Parameter p : function.parameters)
                if (p.kind == JavaFunction.Kind.HTTP_TRIGGER) request = field(data, p.name);
            for (int i = 0; i < args.length; i++) args[i] = argument(function, function.parameters.get(i), data, metadata, request, context);
            Object target = Modifier.isStatic(function.method.getModifiers()) ? null : instance(function);
            result = function.method.invoke(target, args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            System.err.println("Functions." + function.name + " (Id=" + invocationId + ") failed:");
            cause.printStackTrace();
            String message = cause.getMessage() != null ? cause.getMessage() : cause.getClass().getName();
            throw new Failure(cause.toString(), message, context.finish(), cause);
        } catch (IllegalArgumentException | ReflectiveOperationException e) {
            String text = "cannot invoke the " + function.name + " function (" + function.entryPoint() + "): " + e.getMessage();
            throw new Failure("FunctionInvocationError: " + text, text, context.finish(), e);
        }
        ObjectNode answer = json.createObjectNode();
        ObjectNode outputs = answer.putObject("Outputs");
        try {
            for (int i = 0; i < args.length; i++) {
                JavaFunction.Parameter p = function.parameters.get(i);
                if (p.kind != JavaFunction.Kind.OUTPUT) continue;
                Object value = ((Holder<?>) args[i]).getValue();
                if (value != null) outputs.set(p.name, p.outputType.equals("http") ? httpOutput(value) : json.valueToTree(value));
            }
            if (function.returnType == null) answer.putNull("ReturnValue");
            else if (function.returnType.equals("http")) answer.set("ReturnValue", httpOutput(result));
            else answer.set("ReturnValue", json.valueToTree(result));
        } catch (IllegalArgumentException e) {
            String text = "an output of Functions." + function.name + " cannot be serialized to JSON: " + e.getMessage();
            throw new Failure("TypeError: " + text, text, context.finish(), e);
        }
        answer.set("Logs", json.valueToTree(context.finish()));
        return answer;
    }

    private static Object instance(JavaFunction function) throws ReflectiveOperationException {
        Class<?> type = function.method.getDeclaringClass();
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new NoSuchMethodException(type.getName() + " has no public constructor without parameters");
        }
    }

    private Object argument(JavaFunction function, JavaFunction.Parameter p, JsonNode data, JsonNode metadata,
                            JsonNode request, InvocationContext context) throws Failure {
        switch (p.kind) {
            case HTTP_TRIGGER:
                return HttpRequest.of(request, body(function, p, request));
            case CONNECTION_INFO:
                return convert(function, p, field(data, p.name));
            case BINDING_NAME:
                return convert(function, p, bindingData(p.name, metadata, request));
            case EXECUTION_CONTEXT:
                return context;
            case OUTPUT:
                return new Holder<Object>();
            default:
                throw new IllegalStateException(p.kind.toString());
        }
    }

    /** A binding data value: a route parameter, else a query parameter, else a property of a JSON body. */
    private JsonNode bindingData(String key, JsonNode metadata, JsonNode request) {
        JsonNode v = caseless(metadata, key);
        if (v != null && !v.isNull() && !key.equalsIgnoreCase("query") && !key.equalsIgnoreCase("headers") && !key.equalsIgnoreCase("sys"))
            return v;
        v = caseless(metadata.path("query"), key);
        if (v != null) return v;
        byte[] bytes = HttpRequest.bodyBytes(request);
        if (bytes == null) return null;
        try {
            return caseless(json.readTree(bytes), key);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    /** The request body as the parameter's HttpRequestMessage<T> declares it. */
    private Object body(JavaFunction function, JavaFunction.Parameter p, JsonNode request) throws Failure {
        byte[] bytes = HttpRequest.bodyBytes(request);
        Type t = p.type instanceof ParameterizedType ? ((ParameterizedType) p.type).getActualTypeArguments()[0] : Object.class;
        boolean optional = t instanceof ParameterizedType && ((ParameterizedType) t).getRawType() == Optional.class;
        if (optional) t = ((ParameterizedType) t).getActualTypeArguments()[0];
        Object value;
        if (bytes == null || bytes.length == 0) value = null;
        else if (t == String.class) value = new String(bytes, StandardCharsets.UTF_8);
        else if (t == byte[].class) value = bytes;
        else if (t == Object.class || t instanceof TypeVariable || t instanceof WildcardType) {
            // Parsed JSON (Map, List, String, Number, Boolean) when the body is JSON, else its text.
            try {
                value = json.readValue(bytes, Object.class);
            } catch (java.io.IOException e) {
                value = new String(bytes, StandardCharsets.UTF_8);
            }
        } else {
            try {
                value = json.readValue(bytes, json.constructType(t));
            } catch (java.io.IOException e) {
                throw bindingFailure(function, p, "the request body is not a " + t.getTypeName() + ": " + e.getMessage());
            }
        }
        return optional ? Optional.ofNullable(value) : value;
    }

    private Object convert(JavaFunction function, JavaFunction.Parameter p, JsonNode value) throws Failure {
        if (value == null || value.isNull()) return null;
        JavaType type = json.constructType(p.type);
        try {
            if (type.getRawClass() == String.class) return value.isTextual() ? value.asText() : json.writeValueAsString(value);
            return json.convertValue(value, type);
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw bindingFailure(function, p, "the value " + value + " is not a " + p.type.getTypeName() + ": " + e.getMessage());
        }
    }

    private static Failure bindingFailure(JavaFunction function, JavaFunction.Parameter p, String why) {
        String text = "cannot bind '" + p.name + "' of the " + function.name + " function: " + why;
        return new Failure("FunctionBindingError: " + text, text, List.of(), null);
    }

    /** An http output: an HttpResponseMessage as {statusCode, headers, body}; any other value is the body. */
    private JsonNode httpOutput(Object value) {
        if (value == null) return json.nullNode();
        ObjectNode out = json.createObjectNode();
        Object body = value;
        if (value instanceof HttpResponseMessage) {
            HttpResponseMessage r = (HttpResponseMessage) value;
            out.put("statusCode", r.getStatusCode());
            ObjectNode headers = out.putObject("headers");
            if (r instanceof HttpRequest.Response)
                for (Map.Entry<String, String> h : ((HttpRequest.Response) r).headers.entrySet()) headers.put(h.getKey(), h.getValue());
            body = r.getBody();
        }
        if (body == null) out.putNull("body");
        else if (body instanceof byte[]) {
            out.put("body", Base64.getEncoder().encodeToString((byte[]) body));
            out.put("bodyEncoding", "base64");
        } else if (body instanceof String) out.put("body", (String) body);
        else out.set("body", json.valueToTree(body));
        return out;
    }

    private static JsonNode field(JsonNode object, String name) {
        JsonNode v = caseless(object, name);
        return v == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : v;
    }

    private static JsonNode caseless(JsonNode object, String name) {
        if (object == null || !object.isObject()) return null;
        if (object.has(name)) return object.get(name);
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (k.equalsIgnoreCase(name)) return object.get(k);
        }
        return null;
    }
}
