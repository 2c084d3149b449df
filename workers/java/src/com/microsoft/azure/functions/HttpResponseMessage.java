// Switchboard's Java worker library: an HTTP response a function returns, made with
// request.createResponseBuilder(status).header(..).body(..).build().
package com.microsoft.azure.functions;

public interface HttpResponseMessage {
    HttpStatusType getStatus();

    default int getStatusCode() {
        return getStatus().value();
    }

    String getHeader(String key);

    Object getBody();

    interface Builder {
        Builder status(HttpStatusType status);

        Builder header(String key, String value);

        Builder body(Object body);

        HttpResponseMessage build();
    }
}
