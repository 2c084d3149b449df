// Switchboard's Java worker library: a message for the signalR output binding. Fields left null are
// not sent: without userId, groupName or connectionId the message is a broadcast.
package com.microsoft.azure.functions.signalr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class SignalRMessage {
    public String connectionId;
    public String userId;
    public String groupName;
    public String target;
    public List<Object> arguments = new ArrayList<>();

    public SignalRMessage() {}

    public SignalRMessage(String target, Object... arguments) {
        this.target = target;
        this.arguments = new ArrayList<>(Arrays.asList(arguments));
    }
}
