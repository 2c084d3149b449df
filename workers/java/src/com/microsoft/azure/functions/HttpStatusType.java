// Switchboard's Java worker library: any HTTP status code (HttpStatus or a custom one).
package com.microsoft.azure.functions;

public interface HttpStatusType {
    int value();

    /** A status type for any code from 100 to 599. */
    static HttpStatusType custom(int code) {
        if (code < 100 || code > 599) throw new IllegalArgumentException("an HTTP status code is 100 to 599, not " + code);
        return () -> code;
    }
}
