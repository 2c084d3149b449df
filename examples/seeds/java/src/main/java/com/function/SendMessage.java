// The seeds' Java broadcast example ("Broadcast to all clients"), as printed.
package com.function;

import java.util.*;
import com.microsoft.azure.functions.*;
import com.microsoft.azure.functions.annotation.*;
import com.microsoft.azure.functions.signalr.*;
import com.microsoft.azure.functions.signalr.annotation.*;

public class SendMessage {
    @FunctionName("sendMessage")
    @SignalROutput(name = "$return", hubName = "chat")
    public SignalRMessage sendMessage(
            @HttpTrigger(
                name = "req",
                methods = { HttpMethod.POST },
                authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Object> req) {

        SignalRMessage message = new SignalRMessage();
        message.target = "newMessage";
        message.arguments.add(req.getBody());
        return message;
    }
}
