// The seeds' Java negotiate example (input binding), as printed except for its name and route:
// the seeds name both negotiate examples "negotiate", so this one is "negotiateAnonymous" at
// /api/anonymous/negotiate (clients use http://localhost:7071/api/anonymous).
package com.function;

import java.util.*;
import com.microsoft.azure.functions.*;
import com.microsoft.azure.functions.annotation.*;
import com.microsoft.azure.functions.signalr.*;
import com.microsoft.azure.functions.signalr.annotation.*;

public class NegotiateAnonymous {
    @FunctionName("negotiateAnonymous") // the seeds: "negotiate"
    public SignalRConnectionInfo negotiate(
            @HttpTrigger(
                name = "req",
                methods = { HttpMethod.POST },
                route = "anonymous/negotiate", // not in the seeds
                authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Optional<String>> req,
            @SignalRConnectionInfoInput(
                name = "connectionInfo",
                hubName = "chat") SignalRConnectionInfo connectionInfo) {
        return connectionInfo;
    }
}
