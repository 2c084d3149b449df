// The documentation's anonymous negotiate example. Its function name is "negotiate" as well; here it is
// "negotiateAnonymous" on the route anonymous/negotiate (clients use /api/anonymous), so that both
// negotiate examples live in one app. Nothing else differs from the printed code.
using System.Security.Claims;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.Http;
using Microsoft.Azure.WebJobs.Extensions.SignalRService;

namespace SwitchboardSeeds
{
    public static class NegotiateAnonymousFunction
    {
        [FunctionName("negotiateAnonymous")]
        public static SignalRConnectionInfo Negotiate(
            [HttpTrigger(AuthorizationLevel.Anonymous, Route = "anonymous/negotiate")]HttpRequest req,
            [SignalRConnectionInfo(HubName = "chat")]SignalRConnectionInfo connectionInfo)
        {
            return connectionInfo;
        }
    }
}
