// POST /api/broadcast: the request body to every client of hub "bench" through the signalR output
// binding (bench/workers.py times the same function in each language; this is the C# worker's).
using System.Threading.Tasks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.Http;
using Microsoft.Azure.WebJobs.Extensions.SignalRService;

namespace Bench
{
    public static class Broadcast
    {
        [FunctionName("broadcast")]
        public static async Task<IActionResult> Run(
            [HttpTrigger(AuthorizationLevel.Anonymous, "post")] object body,
            [SignalR(HubName = "bench")] IAsyncCollector<SignalRMessage> signalRMessages)
        {
            await signalRMessages.AddAsync(new SignalRMessage { Target = "bench", Arguments = new[] { body } });
            return new StatusCodeResult(202);
        }
    }
}
