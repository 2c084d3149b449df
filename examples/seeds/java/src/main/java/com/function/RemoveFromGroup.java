// The seeds' Java "Remove user from a group" example. The user comes from @BindingName("userId"): the ?userId=
// query parameter (or a route parameter of that name).
package com.function;

import java.util.*;
import com.microsoft.azure.functions.*;
import com.microsoft.azure.functions.annotation.*;
import com.microsoft.azure.functions.signalr.*;
import com.microsoft.azure.functions.signalr.annotation.*;

public class RemoveFromGroup {
    @FunctionName("removeFromGroup")
    @SignalROutput(name = "$return", hubName = "chat")
    public SignalRGroupAction removeFromGroup(
            @HttpTrigger(
                name = "req",
                methods = { HttpMethod.POST },
                authLevel = AuthorizationLevel.ANONYMOUS) HttpRequestMessage<Object> req,
            @BindingName("userId") String userId) {

        SignalRGroupAction groupAction = new SignalRGroupAction();
        groupAction.action = "remove";
        groupAction.userId = userId;
        groupAction.groupName = "myGroup";
        return groupAction; // the seeds print "return action;", which does not compile: the variable is groupAction
    }
}
