// Switchboard's Java worker library: who may call an HTTP-triggered function (authLevel).
package com.microsoft.azure.functions.annotation;

public enum AuthorizationLevel {
    ANONYMOUS, FUNCTION, ADMIN
}
