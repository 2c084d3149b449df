// The seeds' Java "Send to a user" example, as printed except for its name: the seeds name all three
// send examples "sendMessage", so this one is "SendToUser" (/api/SendToUser).
package com.function;

import java.util.*;
import com.microsoft.azure.functions.*;
import com.microsoft.azure.functions.annotation.*;
import com.microsoft.azure.functions.signalr.*;
import com.microsoft.azure.functions.signalr.annotation.*;

public class SendToUser {
    @FunctionName("SendToUser") // the seeds: "sendMessage"
    @SignalROutput(name = "$return", hubName = "chat")
    public SignalRMessage sendMessage(
            @HttpTrigger(
                name = "req",
                methods = { HttpMethod.POST },
                authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Object> req) {

        SignalRMessage message = new SignalRMessage();
        message.userId = "userId1";
        message.target = "newMessage";
        message.arguments.add(req.getBody());
        return message;
    }
}
