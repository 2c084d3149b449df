// The .NET isolated worker model's types, by their documented names (Microsoft.Azure.Functions.Worker):
// [Function], its [HttpTrigger], the SignalR input and output attributes and actions, HttpRequestData /
// HttpResponseData and FunctionContext. The Switchboard .NET worker runs them like the in-process ones.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Claims;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Switchboard.Functions
{
    // How the shim reads and writes JSON: set by the worker (its own JSON, workers/dotnet/worker/Json.cs).
    public static class JsonHooks
    {
        public static Func<object, string> Serialize;
        public static Func<string, Type, object> Deserialize;
    }
}

namespace Microsoft.Azure.Functions.Worker
{
    [AttributeUsage(AttributeTargets.Method)]
    public sealed class FunctionAttribute : Attribute
    {
        public FunctionAttribute(string name) { Name = name; }
        public string Name { get; private set; }
    }

    public enum AuthorizationLevel
    {
        Anonymous = 0,
        User = 1,
        Function = 2,
        System = 3,
        Admin = 4,
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class HttpTriggerAttribute : Attribute
    {
        public HttpTriggerAttribute() : this(AuthorizationLevel.Function) { }
        public HttpTriggerAttribute(params string[] methods) : this(AuthorizationLevel.Function, methods) { }
        public HttpTriggerAttribute(AuthorizationLevel authLevel, params string[] methods)
        {
            AuthLevel = authLevel;
            Methods = methods;
        }
        public AuthorizationLevel AuthLevel { get; private set; }
        public string[] Methods { get; private set; }
        public string Route { get; set; }
    }

    [AttributeUsage(AttributeTargets.Parameter)]
    public sealed class SignalRConnectionInfoInputAttribute : Attribute
    {
        public string HubName { get; set; }
        public string UserId { get; set; }
        public string IdToken { get; set; }
        public string[] ClaimTypeList { get; set; }
        public string ConnectionStringSetting { get; set; }
    }

    // On a method: its return value goes to the service; on a property of the returned type: that property.
    [AttributeUsage(AttributeTargets.Method | AttributeTargets.Property)]
    public sealed class SignalROutputAttribute : Attribute
    {
        public string HubName { get; set; }
        public string ConnectionStringSetting { get; set; }
    }

    // Marks the HttpResponseData property of a type with several outputs.
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class HttpResultAttribute : Attribute { }

    public class SignalRConnectionInfo
    {
        public string Url { get; set; }
        public string AccessToken { get; set; }
    }

    public sealed class SignalRMessageAction
    {
        public SignalRMessageAction(string target) : this(target, null) { }
        public SignalRMessageAction(string target, object[] arguments) { Target = target; Arguments = arguments; }
        public string Target { get; set; }
        public object[] Arguments { get; set; }
        public string ConnectionId { get; set; }
        public string UserId { get; set; }
        public string GroupName { get; set; }
    }

    public enum SignalRGroupActionType
    {
        Add,
        Remove,
        RemoveAll,
    }

    public sealed class SignalRGroupAction
    {
        public SignalRGroupAction(SignalRGroupActionType action) { Action = action; }
        public SignalRGroupActionType Action { get; set; }
        public string GroupName { get; set; }
        public string UserId { get; set; }
        public string ConnectionId { get; set; }
    }

    public class FunctionDefinition
    {
        public string Name { get; set; }
        public string EntryPoint { get; set; }
    }

    // The invocation a function may take as a parameter (and find on HttpRequestData).
    public class FunctionContext
    {
        public string InvocationId { get; set; }
        public string FunctionId { get; set; }
        public FunctionDefinition FunctionDefinition { get; set; }
        public CancellationToken CancellationToken { get; set; }
        public ILogger Logger { get; set; }
        public IDictionary<object, object> Items { get; set; }
    }

    public static class FunctionContextLoggerExtensions
    {
        public static ILogger GetLogger(this FunctionContext context, string categoryName) { return context.Logger; }
        public static ILogger GetLogger<T>(this FunctionContext context) { return context.Logger; }
    }
}

namespace Microsoft.Azure.Functions.Worker.Http
{
    // Header names compared ignoring case, each with one or more values.
    public class HttpHeadersCollection : IEnumerable<KeyValuePair<string, IEnumerable<string>>>
    {
        readonly List<KeyValuePair<string, List<string>>> headers = new List<KeyValuePair<string, List<string>>>();

        List<string> Find(string name)
        {
            foreach (var h in headers)
                if (string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) return h.Value;
            return null;
        }

        public void Add(string name, string value)
        {
            var values = Find(name);
            if (values == null) headers.Add(new KeyValuePair<string, List<string>>(name, values = new List<string>()));
            values.Add(value);
        }

        public void Add(string name, IEnumerable<string> values)
        {
            foreach (var v in values) Add(name, v);
        }

        public bool Remove(string name) { return headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)) > 0; }
        public bool Contains(string name) { return Find(name) != null; }

        public IEnumerable<string> GetValues(string name)
        {
            var values = Find(name);
            if (values == null) throw new InvalidOperationException("The header '" + name + "' is not present.");
            return values;
        }

        public bool TryGetValues(string name, out IEnumerable<string> values)
        {
            var found = Find(name);
            values = found;
            return found != null;
        }

        public IEnumerator<KeyValuePair<string, IEnumerable<string>>> GetEnumerator()
        {
            return headers.Select(h => new KeyValuePair<string, IEnumerable<string>>(h.Key, h.Value)).GetEnumerator();
        }

        IEnumerator IEnumerable.GetEnumerator() { return GetEnumerator(); }
    }

    public class HttpRequestData
    {
        public HttpRequestData(FunctionContext functionContext)
        {
            FunctionContext = functionContext;
            Headers = new HttpHeadersCollection();
            Query = new NameValueCollection();
            Body = new MemoryStream(new byte[0], false);
            Identities = new ClaimsIdentity[0];
        }
        public FunctionContext FunctionContext { get; private set; }
        public Uri Url { get; set; }
        public string Method { get; set; }
        public HttpHeadersCollection Headers { get; private set; }
        public NameValueCollection Query { get; set; }
        public Stream Body { get; set; }
        public IEnumerable<ClaimsIdentity> Identities { get; set; }

        public HttpResponseData CreateResponse()
        {
            return new HttpResponseData(FunctionContext) { StatusCode = HttpStatusCode.OK };
        }
    }

    public class HttpResponseData
    {
        public HttpResponseData(FunctionContext functionContext)
        {
            FunctionContext = functionContext;
            Headers = new HttpHeadersCollection();
            Body = new MemoryStream();
        }
        public FunctionContext FunctionContext { get; private set; }
        public HttpStatusCode StatusCode { get; set; }
        public HttpHeadersCollection Headers { get; set; }
        public Stream Body { get; set; }
    }

    public static class HttpRequestDataExtensions
    {
        public static HttpResponseData CreateResponse(this HttpRequestData request, HttpStatusCode statusCode)
        {
            var response = request.CreateResponse();
            response.StatusCode = statusCode;
            return response;
        }

        public static string ReadAsString(this HttpRequestData request, Encoding encoding = null)
        {
            using (var reader = new StreamReader(request.Body, encoding ?? Encoding.UTF8, true, 4096, true)) return reader.ReadToEnd();
        }

        public static Task<string> ReadAsStringAsync(this HttpRequestData request, Encoding encoding = null)
        {
            return Task.FromResult(ReadAsString(request, encoding));
        }

        public static Task<T> ReadFromJsonAsync<T>(this HttpRequestData request, CancellationToken cancellationToken = default(CancellationToken))
        {
            return Task.FromResult((T)Switchboard.Functions.JsonHooks.Deserialize(ReadAsString(request), typeof(T)));
        }
    }

    public static class HttpResponseDataExtensions
    {
        public static void WriteString(this HttpResponseData response, string value, Encoding encoding = null)
        {
            var bytes = (encoding ?? Encoding.UTF8).GetBytes(value ?? "");
            response.Body.Write(bytes, 0, bytes.Length);
        }

        public static Task WriteStringAsync(this HttpResponseData response, string value, CancellationToken cancellationToken = default(CancellationToken), Encoding encoding = null)
        {
            WriteString(response, value, encoding);
            return Task.FromResult(0);
        }

        public static void WriteBytes(this HttpResponseData response, byte[] value)
        {
            response.Body.Write(value, 0, value.Length);
        }

        public static Task WriteBytesAsync(this HttpResponseData response, byte[] value)
        {
            WriteBytes(response, value);
            return Task.FromResult(0);
        }

        public static Task WriteAsJsonAsync<T>(this HttpResponseData response, T instance, CancellationToken cancellationToken = default(CancellationToken))
        {
            return WriteAsJsonAsync(response, instance, HttpStatusCode.OK, cancellationToken);
        }

        public static Task WriteAsJsonAsync<T>(this HttpResponseData response, T instance, HttpStatusCode statusCode, CancellationToken cancellationToken = default(CancellationToken))
        {
            response.StatusCode = statusCode;
            response.Headers.Remove("Content-Type");
            response.Headers.Add("Content-Type", "application/json; charset=utf-8");
            WriteString(response, Switchboard.Functions.JsonHooks.Serialize(instance));
            return Task.FromResult(0);
        }
    }
}
