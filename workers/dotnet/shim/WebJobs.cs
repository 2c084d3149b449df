// Switchboard's own stand-ins for the Azure Functions (in-process, WebJobs) types that function code
// names: the attributes the functions host reads to find functions and bindings, the collector
// interfaces of output bindings, and the execution context. Written here from the documented names;
// the behaviour behind them is the Switchboard .NET worker's (workers/dotnet/worker).
using System;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.Azure.WebJobs
{
    // [FunctionName("name")] on a public static method makes it a function of that name.
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class FunctionNameAttribute : Attribute
    {
        public FunctionNameAttribute(string name) { Name = name; }
        public string Name { get; private set; }
    }

    // The HTTP trigger: [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = "x/{id}")].
    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class HttpTriggerAttribute : Attribute
    {
        public HttpTriggerAttribute() : this(Extensions.Http.AuthorizationLevel.Function) { }
        public HttpTriggerAttribute(params string[] methods)
            : this(Extensions.Http.AuthorizationLevel.Function, methods) { }
        public HttpTriggerAttribute(Extensions.Http.AuthorizationLevel authLevel, params string[] methods)
        {
            AuthLevel = authLevel;
            Methods = methods;
        }
        public Extensions.Http.AuthorizationLevel AuthLevel { get; private set; }
        public string[] Methods { get; private set; }
        public string Route { get; set; }
    }

    // An output binding that takes any number of items.
    public interface IAsyncCollector<in T>
    {
        Task AddAsync(T item, CancellationToken cancellationToken = default(CancellationToken));
        Task FlushAsync(CancellationToken cancellationToken = default(CancellationToken));
    }

    public interface ICollector<in T>
    {
        void Add(T item);
    }

    // What a function may ask about its own invocation.
    public class ExecutionContext
    {
        public Guid InvocationId { get; set; }
        public string FunctionName { get; set; }
        public string FunctionDirectory { get; set; }
        public string FunctionAppDirectory { get; set; }
    }
}

namespace Microsoft.Azure.WebJobs.Host
{
    // The error a failed invocation is reported with.
    public class FunctionInvocationException : Exception
    {
        public FunctionInvocationException(string message, Exception inner) : base(message, inner) { }
    }
}

namespace Microsoft.Azure.WebJobs.Extensions.Http
{
    public enum AuthorizationLevel
    {
        Anonymous = 0,
        User = 1,
        Function = 2,
        System = 3,
        Admin = 4,
    }
}
