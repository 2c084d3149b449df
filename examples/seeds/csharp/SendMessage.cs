// The documentation's broadcast example, unchanged, in a class with its usings.
using System.Security.Claims;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.Http;
using Microsoft.Azure.WebJobs.Extensions.SignalRService;

namespace SwitchboardSeeds
{
    public static class SendMessageFunction
    {
        [FunctionName("SendMessage")]
        public static Task SendMessage(
            [HttpTrigger(AuthorizationLevel.Anonymous, "post")]object message, 
            [SignalR(HubName = "chat")]IAsyncCollector<SignalRMessage> signalRMessages)
        {
            return signalRMessages.AddAsync(
                new SignalRMessage 
                {
                    Target = "newMessage", 
                    Arguments = new [] { message } 
                });
        }
    }
}
