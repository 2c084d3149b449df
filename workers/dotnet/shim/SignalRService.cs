// The SignalR Service binding types of the Azure Functions extension, by their documented names: the
// connection-info input, the signalR output and the items it takes (messages, group actions).
using System;

namespace Microsoft.Azure.WebJobs.Extensions.SignalRService
{
    // Input: a client URL and access token for HubName (and UserId, a binding expression).
    [AttributeUsage(AttributeTargets.Parameter | AttributeTargets.ReturnValue)]
    public sealed class SignalRConnectionInfoAttribute : Attribute
    {
        public string HubName { get; set; }
        public string UserId { get; set; }
        public string IdToken { get; set; }
        public string[] ClaimTypeList { get; set; }
        public string ConnectionStringSetting { get; set; }
    }

    public class SignalRConnectionInfo
    {
        public string Url { get; set; }
        public string AccessToken { get; set; }
    }

    // Output: messages and group actions sent to HubName.
    [AttributeUsage(AttributeTargets.Parameter | AttributeTargets.ReturnValue)]
    public sealed class SignalRAttribute : Attribute
    {
        public string HubName { get; set; }
        public string ConnectionStringSetting { get; set; }
    }

    // Sent to one connection, else one user, else one group, else everyone.
    public class SignalRMessage
    {
        public string ConnectionId { get; set; }
        public string UserId { get; set; }
        public string GroupName { get; set; }
        public string Target { get; set; }
        public object[] Arguments { get; set; }
    }

    public enum GroupAction
    {
        Add,
        Remove,
        RemoveAll,
    }

    public class SignalRGroupAction
    {
        public string ConnectionId { get; set; }
        public string UserId { get; set; }
        public string GroupName { get; set; }
        public GroupAction Action { get; set; }
    }
}
