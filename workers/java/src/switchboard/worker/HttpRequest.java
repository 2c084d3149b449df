// The HttpRequestMessage a function receives, built from the trigger's value in the invocation payload
// (Url, Method, Headers, Query, Body, BodyEncoding), and the response builder it creates.
package switchboard.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.azure.functions.HttpMethod;
import com.microsoft.azure.functions.HttpRequestMessage;
import com.microsoft.azure.functions.HttpResponseMessage;
import com.microsoft.azure.functions.HttpStatus;
import com.microsoft.azure.functions.HttpStatusType;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

final class HttpRequest<T> implements HttpRequestMessage<T> {
    private final URI uri;
    private final HttpMethod method;
    private final Map<String, String> headers;
    private final Map<String, String> query;
    private final T body;

    private HttpRequest(URI uri, HttpMethod method, Map<String, String> headers, Map<String, String> query, T body) {
        this.uri = uri;
        this.method = method;
        this.headers = headers;
        this.query = query;
        this.body = body;
    }

    /** The request's body bytes (null when it has none): base64 bodies decoded, text as UTF-8. */
    static byte[] bodyBytes(JsonNode value) {
        JsonNode body = value.get("Body");
        if (body == null || body.isNull()) return null;
        if (!body.isTextual()) return body.toString().getBytes(StandardCharsets.UTF_8);
        String encoding = value.path("BodyEncoding").asText("");
        if (encoding.equalsIgnoreCase("base64")) return Base64.getDecoder().decode(body.asText());
        return body.asText().getBytes(StandardCharsets.UTF_8);
    }

    static <T> HttpRequest<T> of(JsonNode value, T body) {
        Map<String, String> headers = new LinkedHashMap<>();
        value.path("Headers").fields().forEachRemaining(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), text(e.getValue())));
        Map<String, String> query = new LinkedHashMap<>();
        value.path("Query").fields().forEachRemaining(e -> query.put(e.getKey(), text(e.getValue())));
        HttpMethod method;
        try {
            method = HttpMethod.value(value.path("Method").asText("GET"));
        } catch (IllegalArgumentException e) {
            method = null; // a method outside the enum (the route accepted it): getHttpMethod() is null
        }
        return new HttpRequest<>(URI.create(value.path("Url").asText("/")), method,
                Collections.unmodifiableMap(headers), Collections.unmodifiableMap(query), body);
    }

    /** A header or query value: arrays (repeated fields) joined with ", ". */
    private static String text(JsonNode v) {
        if (!v.isArray()) return v.asText();
        StringBuilder joined = new StringBuilder();
        for (JsonNode item : v) joined.append(joined.length() == 0 ? "" : ", ").append(item.asText());
        return joined.toString();
    }

    @Override
    public URI getUri() {
        return uri;
    }

    @Override
    public HttpMethod getHttpMethod() {
        return method;
    }

    @Override
    public Map<String, String> getHeaders() {
        return headers;
    }

    @Override
    public Map<String, String> getQueryParameters() {
        return query;
    }

    @Override
    public T getBody() {
        return body;
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatus status) {
        return new Response.Builder().status(status);
    }

    @Override
    public HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status) {
        return new Response.Builder().status(status);
    }

    /** A response: status, headers in the order set, any body. */
    static final class Response implements HttpResponseMessage {
        final HttpStatusType status;
        final Map<String, String> headers;
        final Object body;

        private Response(HttpStatusType status, Map<String, String> headers, Object body) {
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        @Override
        public HttpStatusType getStatus() {
            return status;
        }

        @Override
        public String getHeader(String key) {
            for (Map.Entry<String, String> e : headers.entrySet())
                if (e.getKey().equalsIgnoreCase(key)) return e.getValue();
            return null;
        }

        @Override
        public Object getBody() {
            return body;
        }

        static final class Builder implements HttpResponseMessage.Builder {
            private HttpStatusType status = HttpStatus.OK;
            private final Map<String, String> headers = new LinkedHashMap<>();
            private Object body;

            @Override
            public Builder status(HttpStatusType status) {
                if (status == null) throw new IllegalArgumentException("the status is null");
                this.status = status;
                return this;
            }

            @Override
            public Builder header(String key, String value) {
                headers.put(key, value);
                return this;
            }

            @Override
            public Builder body(Object body) {
                this.body = body;
                return this;
            }

            @Override
            public HttpResponseMessage build() {
                return new Response(status, new LinkedHashMap<>(headers), body);
            }
        }
    }
}
