// Switchboard's Java worker library: the HTTP methods an @HttpTrigger accepts.
package com.microsoft.azure.functions;

import java.util.Locale;

public enum HttpMethod {
    GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH;

    /** The method named by {@code method}, in any case; IllegalArgumentException for an unknown one. */
    public static HttpMethod value(String method) {
        return valueOf(method.toUpperCase(Locale.ROOT));
    }
}
