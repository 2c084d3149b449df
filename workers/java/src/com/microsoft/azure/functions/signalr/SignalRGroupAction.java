// Switchboard's Java worker library: a group action for the signalR output binding ("add", "remove"
// or "removeAll" of a user or a connection).
package com.microsoft.azure.functions.signalr;

public class SignalRGroupAction {
    public String connectionId;
    public String userId;
    public String groupName;
    public String action;

    public SignalRGroupAction() {}

    public SignalRGroupAction(String action, String groupName, String userId) {
        this.action = action;
        this.groupName = groupName;
        this.userId = userId;
    }
}
