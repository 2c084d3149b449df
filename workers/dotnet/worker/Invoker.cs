// One invocation: the payload's Data bound onto the method's parameters (by binding name, or by type
// for what the host provides: ClaimsPrincipal, ILogger, ExecutionContext, CancellationToken), the
// method run (a Task awaited), and its outputs collected: collectors' items, `out` parameters and the
// return value ($return: an http response or a binding's value).
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Reflection;
using System.Security.Claims;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.WebJobs;
using Microsoft.Extensions.Logging;
using ExecutionContext = Microsoft.Azure.WebJobs.ExecutionContext;
using Isolated = Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Primitives;

namespace Switchboard.Worker
{
    // The function threw: the message the caller gets, and the lines it logged.
    public sealed class FunctionFailure : Exception
    {
        public FunctionFailure(string text, string message, List<string> logs) : base(text) { FunctionMessage = message; Logs = logs; }
        public string FunctionMessage { get; private set; }
        public List<string> Logs { get; private set; }
    }

    public static class Invoker
    {
        static Dictionary<string, object> Find(List<Dictionary<string, object>> bindings, string name)
        {
            return bindings.FirstOrDefault(b => string.Equals(Text(b, "name"), name, StringComparison.OrdinalIgnoreCase));
        }

        static string Text(Dictionary<string, object> map, string key)
        {
            object value;
            if (map == null) return null;
            if (map.TryGetValue(key, out value)) return value as string;
            var match = map.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            return match == null ? null : map[match] as string;
        }

        static object Member(Dictionary<string, object> map, string key)
        {
            if (map == null) return null;
            var match = map.Keys.FirstOrDefault(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase));
            return match == null ? null : map[match];
        }

        static bool Is(Dictionary<string, object> binding, string key, string value)
        {
            return string.Equals(Text(binding, key), value, StringComparison.OrdinalIgnoreCase);
        }

        static Type CollectorItem(Type type)
        {
            if (!type.IsGenericType) return null;
            var definition = type.GetGenericTypeDefinition();
            return definition == typeof(IAsyncCollector<>) || definition == typeof(ICollector<>) ? type.GetGenericArguments()[0] : null;
        }

        // Throws LoadError when a parameter is neither bound nor provided (checked at start).
        public static void Check(FunctionEntry function)
        {
            foreach (var p in function.Method.GetParameters())
            {
                var type = p.ParameterType.IsByRef ? p.ParameterType.GetElementType() : p.ParameterType;
                if (Catalog.IsProvided(type)) continue;
                var binding = Find(function.Bindings, p.Name);
                if (binding == null)
                    throw new LoadError("function '" + function.Name + "': parameter '" + p.Name + "' (" + type.Name + ") matches no binding of function.json and is not one the host provides (ClaimsPrincipal, ILogger, ExecutionContext, CancellationToken)");
                if (Is(binding, "direction", "out") && CollectorItem(type) == null && !p.IsOut)
                    throw new LoadError("function '" + function.Name + "': parameter '" + p.Name + "' is bound to the output binding '" + Text(binding, "name") + "': declare it IAsyncCollector<T>, ICollector<T> or out");
            }
        }

        public static Dictionary<string, object> Invoke(FunctionEntry function, Dictionary<string, object> payload, string invocationId, ref List<string> logsOut)
        {
            var data = Member(payload, "Data") as Dictionary<string, object> ?? new Dictionary<string, object>();
            var logs = new List<string>();
            logsOut = logs;
            var logger = new InvocationLogger(function.Name, logs);
            var parameters = function.Method.GetParameters();
            var args = new object[parameters.Length];
            var collectors = new Dictionary<string, ICollected>(StringComparer.OrdinalIgnoreCase);
            Dictionary<string, object> request = null;
            foreach (var b in function.Bindings)
                if (Is(b, "type", "httpTrigger")) request = Member(data, Text(b, "name")) as Dictionary<string, object>;

            var functionContext = new Isolated.FunctionContext
            {
                InvocationId = invocationId, FunctionId = function.Name, CancellationToken = CancellationToken.None, Logger = logger,
                FunctionDefinition = new Isolated.FunctionDefinition { Name = function.Name, EntryPoint = function.Method.DeclaringType.FullName + "." + function.Method.Name },
                Items = new Dictionary<object, object>(),
            };
            for (int i = 0; i < parameters.Length; i++)
            {
                var p = parameters[i];
                var type = p.ParameterType.IsByRef ? p.ParameterType.GetElementType() : p.ParameterType;
                if (type == typeof(ClaimsPrincipal)) { args[i] = Principal.FromRequest(request); continue; }
                if (type == typeof(Isolated.FunctionContext)) { args[i] = functionContext; continue; }
                if (type == typeof(ILogger)) { args[i] = logger; continue; }
                if (type == typeof(CancellationToken)) { args[i] = CancellationToken.None; continue; }
                if (type == typeof(ExecutionContext))
                {
                    args[i] = new ExecutionContext { InvocationId = ParseGuid(invocationId), FunctionName = function.Name,
                                                     FunctionDirectory = function.Directory, FunctionAppDirectory = Environment.CurrentDirectory };
                    continue;
                }
                var binding = Find(function.Bindings, p.Name);
                if (binding == null) throw new LoadError("function '" + function.Name + "': parameter '" + p.Name + "' matches no binding");
                if (Is(binding, "direction", "out"))
                {
                    var item = CollectorItem(type);
                    if (item != null)
                    {
                        var collector = (ICollected)Activator.CreateInstance(typeof(Collector<>).MakeGenericType(item));
                        collectors[Text(binding, "name")] = collector;
                        args[i] = collector;
                    }
                    continue;  // an out parameter is read after the call
                }
                object value = Member(data, Text(binding, "name"));
                args[i] = Is(binding, "type", "httpTrigger") ? Requests.Bind(value as Dictionary<string, object>, type, functionContext) : Json.ToType(value, type);
            }

            object result;
            try
            {
                object target = function.Method.IsStatic ? null : Activator.CreateInstance(function.Method.DeclaringType);
                result = function.Method.Invoke(target, args);
                var task = result as Task;
                if (task != null)
                {
                    task.Wait();
                    var resultType = Catalog.ResultType(function.Method);
                    result = resultType == null ? null : task.GetType().GetProperty("Result").GetValue(task, null);
                }
                else if (function.Method.ReturnType == typeof(void))
                {
                    result = null;
                }
            }
            catch (Exception e)
            {
                var cause = e;
                while ((cause is TargetInvocationException || cause is AggregateException) && cause.InnerException != null) cause = cause.InnerException;
                Console.Error.WriteLine("Functions." + function.Name + " (Id=" + invocationId + ") failed: " + cause);
                logger.Finish();
                throw new FunctionFailure(cause.GetType().FullName + ": " + cause.Message, cause.Message, logs);
            }
            logger.Finish();

            var outputs = new Dictionary<string, object>();
            object returnValue = null;
            for (int i = 0; i < parameters.Length; i++)
            {
                var binding = Find(function.Bindings, parameters[i].Name);
                if (binding == null || !Is(binding, "direction", "out")) continue;
                string name = Text(binding, "name");
                ICollected collector;
                if (collectors.TryGetValue(name, out collector)) outputs[name] = collector.Items();
                else if (parameters[i].IsOut) outputs[name] = Is(binding, "type", "http") ? Responses.FromValue(args[i]) : args[i];
            }
            if (function.MultiOutput && result != null)
            {
                // Isolated: each output binding is a property of the returned object.
                foreach (var binding in function.Bindings.Where(b => Is(b, "direction", "out")))
                {
                    var property = result.GetType().GetProperty(Text(binding, "name"));
                    object value = property == null ? null : property.GetValue(result, null);
                    if (value != null) outputs[Text(binding, "name")] = Is(binding, "type", "http") ? Responses.FromValue(value) : value;
                }
                result = null;
            }
            var returnBinding = Find(function.Bindings, "$return");
            bool trigger = function.Bindings.Any(b => Is(b, "type", "signalRTrigger"));
            if (returnBinding != null) returnValue = Is(returnBinding, "type", "http") ? Responses.FromValue(result) : result;
            else if (trigger) returnValue = result;
            return new Dictionary<string, object> { { "Outputs", outputs }, { "ReturnValue", returnValue }, { "Logs", logs } };
        }

        static Guid ParseGuid(string text)
        {
            Guid id;
            return Guid.TryParse(text, out id) ? id : Guid.NewGuid();
        }
    }

    interface ICollected
    {
        List<object> Items();
    }

    // The items a function adds to an output binding (AddAsync completes at once; they are sent when
    // the function returns, as the host does for a collector that is not flushed).
    sealed class Collector<T> : IAsyncCollector<T>, ICollector<T>, ICollected
    {
        readonly List<object> items = new List<object>();
        public Task AddAsync(T item, CancellationToken cancellationToken = default(CancellationToken)) { Add(item); return Task.FromResult(0); }
        public Task FlushAsync(CancellationToken cancellationToken = default(CancellationToken)) { return Task.FromResult(0); }
        public void Add(T item) { lock (items) items.Add(item); }
        public List<object> Items() { lock (items) return new List<object>(items); }
    }

    // ILogger: lines go into the invocation's Logs (the host logs them); after the end, to stdout.
    sealed class InvocationLogger : ILogger
    {
        readonly string function;
        readonly List<string> logs;
        bool finished;
        public InvocationLogger(string function, List<string> logs) { this.function = function; this.logs = logs; }
        public bool IsEnabled(LogLevel level) { return level != LogLevel.None; }
        public void Log(LogLevel level, Exception exception, string message)
        {
            string prefix = level == LogLevel.Information ? "" : "[" + level.ToString().ToLowerInvariant() + "] ";
            string line = prefix + message + (exception != null ? " " + exception : "");
            lock (logs)
            {
                if (finished) Console.WriteLine("Functions." + function + ": " + line);
                else logs.Add(line);
            }
        }
        public void Finish() { lock (logs) finished = true; }
    }
}
