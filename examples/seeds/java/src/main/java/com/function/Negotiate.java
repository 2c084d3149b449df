// The seeds' Java negotiate example with an authenticated user id ("Authenticated tokens"), as printed.
package com.function;

import java.util.*;
import com.microsoft.azure.functions.*;
import com.microsoft.azure.functions.annotation.*;
import com.microsoft.azure.functions.signalr.*;
import com.microsoft.azure.functions.signalr.annotation.*;

public class Negotiate {
    @FunctionName("negotiate")
    public SignalRConnectionInfo negotiate(
            @HttpTrigger(
                name = "req",
                methods = { HttpMethod.POST },
                authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @SignalRConnectionInfoInput(
                name = "connectionInfo",
                hubName = "chat",
                userId = "{headers.x-ms-client-principal-id}") SignalRConnectionInfo connectionInfo) {
        return connectionInfo;
    }
}
