// The seeds' functions in the .NET isolated worker model (issue 15): [Function], HttpRequestData /
// HttpResponseData, [SignalRConnectionInfoInput], [SignalROutput] with SignalRMessageAction and
// SignalRGroupAction. Same names and routes as examples/seeds/csharp; the group functions act on the
// caller (req.Identities, from a Bearer token the host checked) and answer 401 without one.
using System.Linq;
using System.Net;
using System.Security.Claims;
using System.Threading.Tasks;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace SwitchboardModels
{
    public static class Functions
    {
        [Function("negotiate")]
        public static async Task<HttpResponseData> Negotiate(
            [HttpTrigger(AuthorizationLevel.Anonymous)] HttpRequestData req,
            [SignalRConnectionInfoInput(HubName = "chat", UserId = "{headers.x-ms-client-principal-id}")] SignalRConnectionInfo connectionInfo)
        {
            var response = req.CreateResponse(HttpStatusCode.OK);
            await response.WriteAsJsonAsync(connectionInfo);
            return response;
        }

        [Function("negotiateAnonymous")]
        public static async Task<HttpResponseData> NegotiateAnonymous(
            [HttpTrigger(AuthorizationLevel.Anonymous, Route = "anonymous/negotiate")] HttpRequestData req,
            [SignalRConnectionInfoInput(HubName = "chat")] SignalRConnectionInfo connectionInfo)
        {
            var response = req.CreateResponse(HttpStatusCode.OK);
            await response.WriteAsJsonAsync(connectionInfo);
            return response;
        }

        [Function("SendMessage")]
        [SignalROutput(HubName = "chat")]
        public static async Task<SignalRMessageAction> SendMessage(
            [HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequestData req)
        {
            return new SignalRMessageAction("newMessage", new[] { await req.ReadFromJsonAsync<object>() });
        }

        [Function("SendToUser")]
        [SignalROutput(HubName = "chat")]
        public static async Task<SignalRMessageAction> SendToUser(
            [HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequestData req)
        {
            return new SignalRMessageAction("newMessage", new[] { await req.ReadFromJsonAsync<object>() })
            {
                UserId = "userId1",
            };
        }

        [Function("SendToGroup")]
        [SignalROutput(HubName = "chat")]
        public static async Task<SignalRMessageAction> SendToGroup(
            [HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequestData req)
        {
            return new SignalRMessageAction("newMessage", new[] { await req.ReadFromJsonAsync<object>() })
            {
                GroupName = "myGroup",
            };
        }

        [Function("addToGroup")]
        public static GroupOutput AddToGroup([HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequestData req)
        {
            return GroupOutput.For(req, SignalRGroupActionType.Add);
        }

        [Function("removeFromGroup")]
        public static GroupOutput RemoveFromGroup([HttpTrigger(AuthorizationLevel.Anonymous, "post")] HttpRequestData req)
        {
            return GroupOutput.For(req, SignalRGroupActionType.Remove);
        }
    }

    // Two outputs: the group action for the service and the HTTP answer.
    public class GroupOutput
    {
        [SignalROutput(HubName = "chat")]
        public SignalRGroupAction Action { get; set; }

        public HttpResponseData HttpResponse { get; set; }

        public static GroupOutput For(HttpRequestData req, SignalRGroupActionType type)
        {
            var user = req.Identities.Select(i => i.FindFirst(ClaimTypes.NameIdentifier)).FirstOrDefault(c => c != null);
            if (user == null)
            {
                var refused = req.CreateResponse(HttpStatusCode.Unauthorized);
                refused.WriteString("sign in first");
                return new GroupOutput { HttpResponse = refused };
            }
            return new GroupOutput
            {
                Action = new SignalRGroupAction(type) { UserId = user.Value, GroupName = "myGroup" },
                HttpResponse = req.CreateResponse(HttpStatusCode.NoContent),
            };
        }
    }
}
