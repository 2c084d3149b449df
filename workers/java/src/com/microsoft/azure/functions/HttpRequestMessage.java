// Switchboard's Java worker library: the request an @HttpTrigger parameter receives. T is the body's
// type as the function declares it (String, Optional<String>, Object for parsed JSON, byte[], a class).
package com.microsoft.azure.functions;

import java.net.URI;
import java.util.Map;

public interface HttpRequestMessage<T> {
    URI getUri();

    HttpMethod getHttpMethod();

    /** Header names in lower case. */
    Map<String, String> getHeaders();

    Map<String, String> getQueryParameters();

    T getBody();

    HttpResponseMessage.Builder createResponseBuilder(HttpStatus status);

    HttpResponseMessage.Builder createResponseBuilder(HttpStatusType status);
}
