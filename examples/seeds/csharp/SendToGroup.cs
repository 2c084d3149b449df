// The documentation's send-to-a-group example. The documentation names it "SendMessage" like the
// broadcast; here its function name is "SendToGroup". The method itself is the printed one.
using System.Security.Claims;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.Http;
using Microsoft.Azure.WebJobs.Extensions.SignalRService;

namespace SwitchboardSeeds
{
    public static class SendToGroupFunction
    {
        [FunctionName("SendToGroup")]
        public static Task SendMessage(
            [HttpTrigger(AuthorizationLevel.Anonymous, "post")]object message,
            [SignalR(HubName = "chat")]IAsyncCollector<SignalRMessage> signalRMessages)
        {
            return signalRMessages.AddAsync(
                new SignalRMessage
                {
                    // the message will be sent to the group with this name
                    GroupName = "myGroup",
                    Target = "newMessage",
                    Arguments = new [] { message }
                });
        }
    }
}
