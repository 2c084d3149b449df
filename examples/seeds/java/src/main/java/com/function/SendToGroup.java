// The seeds' Java "Send to a group" example, as printed except for its name: the seeds name all three
// send examples "sendMessage", so this one is "SendToGroup" (/api/SendToGroup).
package com.function;

import java.util.*;
import com.microsoft.azure.functions.*;
import com.microsoft.azure.functions.annotation.*;
import com.microsoft.azure.functions.signalr.*;
import com.microsoft.azure.functions.signalr.annotation.*;

public class SendToGroup {
    @FunctionName("SendToGroup") // the seeds: "sendMessage"
    @SignalROutput(name = "$return", hubName = "chat")
    public SignalRMessage sendMessage(
            @HttpTrigger(
                name = "req",
                methods = { HttpMethod.POST },
                authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Object> req) {

        SignalRMessage message = new SignalRMessage();
        message.groupName = "myGroup";
        message.target = "newMessage";
        message.arguments.add(req.getBody());
        return message;
    }
}
