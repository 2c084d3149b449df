// Finds an app's functions: every public method annotated @FunctionName in the compiled classes of the
// app (the library's own packages are skipped), with the function.json of each built from the parameter
// and method annotations the way the Azure Functions Maven plugin generates it.
package switchboard.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.azure.functions.ExecutionContext;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.OutputBinding;
import com.microsoft.azure.functions.annotation.BindingName;
import com.microsoft.azure.functions.annotation.FunctionName;
import com.microsoft.azure.functions.annotation.HttpOutput;
import com.microsoft.azure.functions.annotation.HttpTrigger;
import com.microsoft.azure.functions.signalr.annotation.SignalRConnectionInfoInput;
import com.microsoft.azure.functions.signalr.annotation.SignalROutput;
import java.io.IOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

final class FunctionCatalog {
    /** A mistake in the app's declarations; the message names the function or method. */
    static final class DeclarationError extends Exception {
        private static final long serialVersionUID = 1L;
        DeclarationError(String message) {
            super(message);
        }
    }

    private static final List<String> LIBRARY_PACKAGES = List.of("com/microsoft/azure/functions/", "switchboard/worker/");

    private final ObjectMapper json;

    FunctionCatalog(ObjectMapper json) {
        this.json = json;
    }

    /** The functions of the classes under {@code classes}, by name, in name order. */
    Map<String, JavaFunction> scan(Path classes) throws IOException, DeclarationError {
        List<String> classNames;
        try (Stream<Path> files = Files.walk(classes)) {
            classNames = files.filter(p -> p.toString().endsWith(".class"))
                    .map(p -> classes.relativize(p).toString().replace('\\', '/'))
                    .filter(p -> LIBRARY_PACKAGES.stream().noneMatch(p::startsWith))
                    .map(p -> p.substring(0, p.length() - ".class".length()).replace('/', '.'))
                    .sorted()
                    .collect(Collectors.toList());
        }
        Map<String, JavaFunction> found = new LinkedHashMap<>();
        ClassLoader loader = FunctionCatalog.class.getClassLoader();
        for (String className : classNames) {
            Method[] methods;
            try {
                methods = Class.forName(className, false, loader).getDeclaredMethods();
            } catch (ClassNotFoundException | LinkageError e) {
                throw new DeclarationError("cannot load the class " + className + ": " + e);
            }
            List<Method> sorted = new ArrayList<>(List.of(methods));
            sorted.sort(Comparator.comparing(Method::getName));
            for (Method method : sorted) {
                FunctionName fn = method.getAnnotation(FunctionName.class);
                if (fn == null) continue;
                JavaFunction function = describe(fn.value(), method);
                JavaFunction other = found.get(function.name);
                if (other != null)
                    throw new DeclarationError("the function name '" + function.name + "' is declared twice: by "
                            + other.entryPoint() + " and by " + function.entryPoint());
                found.put(function.name, function);
            }
        }
        Map<String, JavaFunction> byName = new LinkedHashMap<>();
        found.keySet().stream().sorted().forEach(k -> byName.put(k, found.get(k)));
        return byName;
    }

    private JavaFunction describe(String name, Method method) throws DeclarationError {
        String where = "function '" + name + "' (" + method.getDeclaringClass().getName() + "." + method.getName() + ")";
        if (name.isEmpty()) throw new DeclarationError(where + ": @FunctionName is empty");
        if (!Modifier.isPublic(method.getModifiers()) || !Modifier.isPublic(method.getDeclaringClass().getModifiers()))
            throw new DeclarationError(where + ": the method and its class must be public");
        ObjectNode doc = json.createObjectNode();
        doc.put("entryPoint", method.getDeclaringClass().getName() + "." + method.getName());
        ArrayNode bindings = doc.putArray("bindings");
        List<JavaFunction.Parameter> parameters = new ArrayList<>();
        boolean http = false;
        Annotation[][] annotations = method.getParameterAnnotations();
        Type[] types = method.getGenericParameterTypes();
        for (int i = 0; i < types.length; i++) {
            String param = "parameter " + (i + 1) + " of " + where;
            JavaFunction.Parameter p = null;
            for (Annotation a : annotations[i]) {
                JavaFunction.Parameter next = parameter(a, types[i], bindings, param);
                if (next == null) continue;
                if (p != null) throw new DeclarationError(param + " has more than one binding annotation");
                p = next;
                if (next.kind == JavaFunction.Kind.HTTP_TRIGGER) http = true;
            }
            if (p == null && types[i] == ExecutionContext.class)
                p = new JavaFunction.Parameter(JavaFunction.Kind.EXECUTION_CONTEXT, null, types[i], null);
            if (p == null)
                throw new DeclarationError(param + " (" + types[i].getTypeName() + ") has no binding annotation"
                        + " (@HttpTrigger, @SignalRConnectionInfoInput, @BindingName, @SignalROutput, @HttpOutput)"
                        + " and is not an ExecutionContext");
            parameters.add(p);
        }
        if (!http) throw new DeclarationError(where + ": no parameter has @HttpTrigger (the only trigger this worker runs)");
        String returnType = null;
        SignalROutput signalR = method.getAnnotation(SignalROutput.class);
        HttpOutput httpOut = method.getAnnotation(HttpOutput.class);
        if (signalR != null && httpOut != null)
            throw new DeclarationError(where + ": the method has both @SignalROutput and @HttpOutput");
        if (signalR != null) {
            requireReturnName(signalR.name(), where, "@SignalROutput");
            bindings.add(signalROutput(signalR));
            returnType = "signalR";
        } else if (httpOut != null) {
            requireReturnName(httpOut.name(), where, "@HttpOutput");
            bindings.add(httpOutput("$return"));
            returnType = "http";
        } else if (method.getReturnType() != void.class) {
            bindings.add(httpOutput("$return")); // an HTTP function's value is its response, as in Azure
            returnType = "http";
        }
        return new JavaFunction(name, method, parameters, returnType, doc);
    }

    private JavaFunction.Parameter parameter(Annotation a, Type type, ArrayNode bindings, String param) throws DeclarationError {
        if (a instanceof HttpTrigger) {
            HttpTrigger t = (HttpTrigger) a;
            ObjectNode b = binding(bindings, "httpTrigger", "in", t.name(), param);
            ArrayNode methods = b.putArray("methods");
            for (HttpMethod m : t.methods()) methods.add(m.name().toLowerCase(Locale.ROOT));
            if (t.methods().length == 0) b.remove("methods");
            b.put("authLevel", t.authLevel().name().toLowerCase(Locale.ROOT));
            if (!t.route().isEmpty()) b.put("route", t.route());
            if (!t.dataType().isEmpty()) b.put("dataType", t.dataType());
            return new JavaFunction.Parameter(JavaFunction.Kind.HTTP_TRIGGER, t.name(), type, null);
        }
        if (a instanceof SignalRConnectionInfoInput) {
            SignalRConnectionInfoInput s = (SignalRConnectionInfoInput) a;
            ObjectNode b = binding(bindings, "signalRConnectionInfo", "in", s.name(), param);
            putIfSet(b, "hubName", s.hubName());
            putIfSet(b, "userId", s.userId());
            putIfSet(b, "idToken", s.idToken());
            if (s.claimTypeList().length > 0) {
                ArrayNode claims = b.putArray("claimTypeList");
                for (String c : s.claimTypeList()) claims.add(c);
            }
            putIfSet(b, "connectionStringSetting", s.connectionStringSetting());
            return new JavaFunction.Parameter(JavaFunction.Kind.CONNECTION_INFO, s.name(), type, null);
        }
        if (a instanceof BindingName) {
            String key = ((BindingName) a).value();
            if (key.isEmpty()) throw new DeclarationError(param + ": @BindingName is empty");
            return new JavaFunction.Parameter(JavaFunction.Kind.BINDING_NAME, key, type, null);
        }
        if (a instanceof SignalROutput) {
            SignalROutput s = (SignalROutput) a;
            bindings.add(signalROutput(s));
            checkOutputName(s.name(), bindings, param);
            return new JavaFunction.Parameter(JavaFunction.Kind.OUTPUT, s.name(), outputValueType(type, param), "signalR");
        }
        if (a instanceof HttpOutput) {
            HttpOutput h = (HttpOutput) a;
            bindings.add(httpOutput(h.name()));
            checkOutputName(h.name(), bindings, param);
            return new JavaFunction.Parameter(JavaFunction.Kind.OUTPUT, h.name(), outputValueType(type, param), "http");
        }
        return null;
    }

    private ObjectNode binding(ArrayNode bindings, String type, String direction, String name, String param) throws DeclarationError {
        if (name.isEmpty()) throw new DeclarationError(param + ": the binding's name is empty");
        ObjectNode b = bindings.addObject();
        b.put("type", type);
        b.put("direction", direction);
        b.put("name", name);
        return b;
    }

    private ObjectNode signalROutput(SignalROutput s) {
        ObjectNode b = json.createObjectNode();
        b.put("type", "signalR");
        b.put("direction", "out");
        b.put("name", s.name());
        putIfSet(b, "hubName", s.hubName());
        putIfSet(b, "connectionStringSetting", s.connectionStringSetting());
        return b;
    }

    private ObjectNode httpOutput(String name) {
        ObjectNode b = json.createObjectNode();
        b.put("type", "http");
        b.put("direction", "out");
        b.put("name", name);
        return b;
    }

    private static void checkOutputName(String name, ArrayNode bindings, String param) throws DeclarationError {
        if (name.isEmpty() || name.equals("$return"))
            throw new DeclarationError(param + ": an output parameter's binding needs a name other than \"$return\"");
    }

    private static void requireReturnName(String name, String where, String annotation) throws DeclarationError {
        if (!name.equals("$return"))
            throw new DeclarationError(where + ": " + annotation + " on a method is its return value's binding:"
                    + " its name must be \"$return\", not \"" + name + "\"");
    }

    private static Type outputValueType(Type type, String param) throws DeclarationError {
        if (type instanceof ParameterizedType && ((ParameterizedType) type).getRawType() == OutputBinding.class)
            return ((ParameterizedType) type).getActualTypeArguments()[0];
        throw new DeclarationError(param + ": an output binding parameter must be an OutputBinding<T>, not " + type.getTypeName());
    }

    private static void putIfSet(ObjectNode b, String key, String value) {
        if (!value.isEmpty()) b.put(key, value);
    }
}
