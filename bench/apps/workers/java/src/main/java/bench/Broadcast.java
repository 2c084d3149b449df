// POST /api/broadcast: the request body to every client of hub "bench" through the signalR output
// binding (bench/workers.py times the same function in JavaScript, Python and Java).
package bench;

import com.microsoft.azure.functions.*;
import com.microsoft.azure.functions.annotation.*;
import com.microsoft.azure.functions.signalr.*;
import com.microsoft.azure.functions.signalr.annotation.*;
import java.util.List;

public class Broadcast {
    @FunctionName("broadcast")
    public HttpResponseMessage broadcast(
            @HttpTrigger(name = "req", methods = { HttpMethod.POST }, authLevel = AuthorizationLevel.ANONYMOUS)
                HttpRequestMessage<Object> req,
            @SignalROutput(name = "signalRMessages", hubName = "bench") OutputBinding<List<SignalRMessage>> signalRMessages) {
        signalRMessages.setValue(List.of(new SignalRMessage("bench", req.getBody())));
        return req.createResponseBuilder(HttpStatus.ACCEPTED).build();
    }
}
