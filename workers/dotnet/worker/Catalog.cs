// The functions of a compiled app and their bindings. Class library: every public static method with
// [FunctionName], its bindings read from its parameters' attributes ([HttpTrigger],
// [SignalRConnectionInfo], [SignalR]) and its return type, written as the function.json the Azure
// build would generate. C# Script: the class marked with the function's name, its function.json's
// bindings, and the method its entryPoint names ("Run" by default).
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Security.Claims;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Azure.WebJobs;
using Microsoft.Azure.WebJobs.Extensions.SignalRService;
using Microsoft.Extensions.Logging;
using ExecutionContext = Microsoft.Azure.WebJobs.ExecutionContext;
using Isolated = Microsoft.Azure.Functions.Worker;

namespace Switchboard.Worker
{
    public sealed class FunctionEntry
    {
        public string Name;
        public MethodInfo Method;
        public List<Dictionary<string, object>> Bindings;
        public Dictionary<string, object> FunctionJson;  // what the host is told (class library)
        public string Directory;                         // the function's folder (script) or the app root
        public bool MultiOutput;                         // isolated: the returned object's properties are outputs
    }

    // A function that cannot be loaded: names the function and why.
    public sealed class LoadError : Exception
    {
        public LoadError(string message) : base(message) { }
    }

    public static class Catalog
    {
        const string DefaultConnection = "AzureSignalRConnectionString";

        // Parameter types the host provides whatever the bindings are.
        public static bool IsProvided(Type type)
        {
            return type == typeof(ClaimsPrincipal) || type == typeof(ILogger) || type == typeof(ExecutionContext) ||
                   type == typeof(CancellationToken) || type == typeof(Isolated.FunctionContext);
        }

        public static Dictionary<string, FunctionEntry> FromLibrary(Assembly assembly, string root, string assemblyPath)
        {
            var functions = new Dictionary<string, FunctionEntry>(StringComparer.OrdinalIgnoreCase);
            Type[] types;
            try
            {
                types = assembly.GetTypes();
            }
            catch (ReflectionTypeLoadException e)
            {
                types = e.Types.Where(t => t != null).ToArray();
            }
            foreach (var type in types.OrderBy(t => t.FullName, StringComparer.Ordinal))
            {
                foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                {
                    var inProcess = method.GetCustomAttributes(typeof(FunctionNameAttribute), false).FirstOrDefault() as FunctionNameAttribute;
                    var isolated = method.GetCustomAttributes(typeof(Isolated.FunctionAttribute), false).FirstOrDefault() as Isolated.FunctionAttribute;
                    if (inProcess == null && isolated == null) continue;
                    string name = inProcess != null ? inProcess.Name : isolated.Name;
                    string where = "function '" + name + "' (" + type.FullName + "." + method.Name + ")";
                    if (inProcess != null && isolated != null)
                        throw new LoadError(where + ": [FunctionName] (in-process) and [Function] (isolated) on one method");
                    if (!method.IsPublic || (inProcess != null && !method.IsStatic))
                        throw new LoadError(where + (inProcess != null ? ": a function must be a public static method" : ": a function must be a public method"));
                    if (!method.IsStatic && type.GetConstructor(Type.EmptyTypes) == null)
                        throw new LoadError(where + ": " + type.FullName + " needs a public constructor without parameters (Switchboard has no dependency injection)");
                    if (functions.ContainsKey(name))
                        throw new LoadError(where + ": another method is also named '" + name + "' (" + functions[name].Method.DeclaringType.FullName + "." + functions[name].Method.Name + ")");
                    bool multiOutput = false;
                    var bindings = inProcess != null ? AttributeBindings(method, where) : IsolatedBindings(method, where, out multiOutput);
                    var doc = new Dictionary<string, object>
                    {
                        { "generatedBy", "Switchboard .NET worker" },
                        { "configurationSource", "attributes" },
                        { "scriptFile", assemblyPath },
                        { "entryPoint", type.FullName + "." + method.Name },
                        { "bindings", bindings },
                    };
                    functions[name] = new FunctionEntry { Name = name, Method = method, Bindings = bindings, FunctionJson = doc, Directory = root, MultiOutput = multiOutput };
                }
            }
            return functions;
        }

        static List<Dictionary<string, object>> AttributeBindings(MethodInfo method, string where)
        {
            var bindings = new List<Dictionary<string, object>>();
            bool http = false;
            foreach (var p in method.GetParameters())
            {
                var trigger = p.GetCustomAttributes(typeof(HttpTriggerAttribute), false).FirstOrDefault() as HttpTriggerAttribute;
                var info = p.GetCustomAttributes(typeof(SignalRConnectionInfoAttribute), false).FirstOrDefault() as SignalRConnectionInfoAttribute;
                var output = p.GetCustomAttributes(typeof(SignalRAttribute), false).FirstOrDefault() as SignalRAttribute;
                if (trigger != null)
                {
                    bindings.Add(HttpTriggerBinding(p.Name, trigger.AuthLevel.ToString(), trigger.Methods, trigger.Route));
                    http = true;
                }
                else if (info != null)
                {
                    bindings.Add(ConnectionInfoBinding(p.Name, info.ConnectionStringSetting, info.HubName, info.UserId,
                                                       info.IdToken, info.ClaimTypeList));
                }
                else if (output != null)
                {
                    bindings.Add(SignalROutput(p.Name, output));
                }
                else if (!IsProvided(p.ParameterType))
                {
                    throw new LoadError(where + ": parameter '" + p.Name + "' (" + p.ParameterType.Name + ") has no binding attribute ([HttpTrigger], [SignalRConnectionInfo] or [SignalR]) and is not one the host provides (ClaimsPrincipal, ILogger, ExecutionContext, CancellationToken)");
                }
            }
            if (!http) throw new LoadError(where + ": no parameter has [HttpTrigger]");
            var returned = method.ReturnParameter.GetCustomAttributes(typeof(SignalRAttribute), false).FirstOrDefault() as SignalRAttribute;
            if (returned != null) bindings.Add(SignalROutput("$return", returned));
            else if (ResultType(method) != null) bindings.Add(new Dictionary<string, object> { { "type", "http" }, { "direction", "out" }, { "name", "$return" } });
            return bindings;
        }

        // An httpTrigger binding as function.json writes it (both models' attributes carry the same values).
        static Dictionary<string, object> HttpTriggerBinding(string name, string authLevel, string[] methods, string route)
        {
            var b = new Dictionary<string, object> { { "type", "httpTrigger" }, { "direction", "in" }, { "name", name },
                                                     { "authLevel", authLevel.ToLowerInvariant() } };
            if (methods != null && methods.Length > 0) b["methods"] = methods.Select(m => m.ToLowerInvariant()).ToList();
            if (route != null) b["route"] = route;
            return b;
        }

        // A signalRConnectionInfo binding as function.json writes it (in-process and isolated attributes alike).
        static Dictionary<string, object> ConnectionInfoBinding(string name, string setting, string hubName, string userId,
                                                                string idToken, string[] claimTypeList)
        {
            var b = new Dictionary<string, object> { { "type", "signalRConnectionInfo" }, { "direction", "in" }, { "name", name },
                                                     { "connectionStringSetting", setting ?? DefaultConnection } };
            if (hubName != null) b["hubName"] = hubName;
            if (userId != null) b["userId"] = userId;
            if (idToken != null) b["idToken"] = idToken;
            if (claimTypeList != null) b["claimTypeList"] = claimTypeList.ToList();
            return b;
        }

        // The isolated model: [HttpTrigger] and [SignalRConnectionInfoInput] parameters; [SignalROutput] on
        // the method (the return value), or on properties of the returned type beside an HttpResponseData.
        static List<Dictionary<string, object>> IsolatedBindings(MethodInfo method, string where, out bool multiOutput)
        {
            var bindings = new List<Dictionary<string, object>>();
            bool http = false;
            foreach (var p in method.GetParameters())
            {
                var trigger = p.GetCustomAttributes(typeof(Isolated.HttpTriggerAttribute), false).FirstOrDefault() as Isolated.HttpTriggerAttribute;
                var info = p.GetCustomAttributes(typeof(Isolated.SignalRConnectionInfoInputAttribute), false).FirstOrDefault() as Isolated.SignalRConnectionInfoInputAttribute;
                if (trigger != null)
                {
                    bindings.Add(HttpTriggerBinding(p.Name, trigger.AuthLevel.ToString(), trigger.Methods, trigger.Route));
                    http = true;
                }
                else if (info != null)
                {
                    bindings.Add(ConnectionInfoBinding(p.Name, info.ConnectionStringSetting, info.HubName, info.UserId,
                                                       info.IdToken, info.ClaimTypeList));
                }
                else if (!IsProvided(p.ParameterType))
                {
                    throw new LoadError(where + ": parameter '" + p.Name + "' (" + p.ParameterType.Name + ") has no binding attribute ([HttpTrigger] or [SignalRConnectionInfoInput]) and is not one the host provides (FunctionContext, CancellationToken)");
                }
            }
            if (!http) throw new LoadError(where + ": no parameter has [HttpTrigger]");
            multiOutput = false;
            var output = method.GetCustomAttributes(typeof(Isolated.SignalROutputAttribute), false).FirstOrDefault() as Isolated.SignalROutputAttribute;
            var multi = MultiOutputType(method);
            if (output != null)
            {
                bindings.Add(SignalROutput("$return", output.HubName, output.ConnectionStringSetting));
            }
            else if (multi != null)
            {
                multiOutput = true;
                foreach (var property in multi.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    var propertyOutput = property.GetCustomAttributes(typeof(Isolated.SignalROutputAttribute), false).FirstOrDefault() as Isolated.SignalROutputAttribute;
                    if (propertyOutput != null) bindings.Add(SignalROutput(property.Name, propertyOutput.HubName, propertyOutput.ConnectionStringSetting));
                    else if (property.PropertyType == typeof(Isolated.Http.HttpResponseData) || property.IsDefined(typeof(Isolated.HttpResultAttribute), false))
                        bindings.Add(new Dictionary<string, object> { { "type", "http" }, { "direction", "out" }, { "name", property.Name } });
                }
            }
            else if (ResultType(method) != null)
            {
                bindings.Add(new Dictionary<string, object> { { "type", "http" }, { "direction", "out" }, { "name", "$return" } });
            }
            return bindings;
        }

        // The returned type when its properties carry output bindings ([SignalROutput]), else null.
        public static Type MultiOutputType(MethodInfo method)
        {
            var type = ResultType(method);
            if (type == null || type.IsPrimitive || type == typeof(string)) return null;
            return type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Any(p => p.IsDefined(typeof(Isolated.SignalROutputAttribute), false)) ? type : null;
        }

        static Dictionary<string, object> SignalROutput(string name, SignalRAttribute output)
        {
            return SignalROutput(name, output.HubName, output.ConnectionStringSetting);
        }

        static Dictionary<string, object> SignalROutput(string name, string hubName, string connectionStringSetting)
        {
            var b = new Dictionary<string, object> { { "type", "signalR" }, { "direction", "out" }, { "name", name },
                                                     { "connectionStringSetting", connectionStringSetting ?? DefaultConnection } };
            if (hubName != null) b["hubName"] = hubName;
            return b;
        }

        // The type of the value a method produces (T of Task<T>), or null for void and Task.
        public static Type ResultType(MethodInfo method)
        {
            var type = method.ReturnType;
            if (type == typeof(void) || type == typeof(Task)) return null;
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>)) return type.GetGenericArguments()[0];
            return type;
        }

        public static Dictionary<string, FunctionEntry> FromScripts(Assembly assembly, string root)
        {
            var functions = new Dictionary<string, FunctionEntry>(StringComparer.OrdinalIgnoreCase);
            foreach (var type in assembly.GetTypes())
            {
                var attribute = type.GetCustomAttributes(typeof(Switchboard.Functions.ScriptFunctionAttribute), false).FirstOrDefault() as Switchboard.Functions.ScriptFunctionAttribute;
                if (attribute == null) continue;
                string dir = Path.Combine(root, attribute.Name);
                var doc = Json.Parse(File.ReadAllText(Path.Combine(dir, "function.json"))) as Dictionary<string, object>;
                if (doc == null) throw new LoadError("function '" + attribute.Name + "': function.json is not an object");
                object value;
                var bindings = new List<Dictionary<string, object>>();
                if (doc.TryGetValue("bindings", out value) && value is List<object>)
                    foreach (var b in (List<object>)value)
                        if (b is Dictionary<string, object>) bindings.Add(new Dictionary<string, object>((Dictionary<string, object>)b, StringComparer.OrdinalIgnoreCase));
                string entryPoint = doc.TryGetValue("entryPoint", out value) && value is string ? (string)value : "Run";
                if (entryPoint.Contains(".")) entryPoint = entryPoint.Substring(entryPoint.LastIndexOf('.') + 1);
                var candidates = type.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly).Where(m => m.Name == entryPoint).ToList();
                string script = Path.Combine(attribute.Name, "run.csx");
                if (candidates.Count == 0)
                    throw new LoadError("function '" + attribute.Name + "': " + script + " has no public static method '" + entryPoint + "'" + (entryPoint == "Run" ? " (or name one with \"entryPoint\" in function.json)" : ""));
                if (candidates.Count > 1)
                    throw new LoadError("function '" + attribute.Name + "': " + script + " has " + candidates.Count + " public static methods named '" + entryPoint + "'");
                functions[attribute.Name] = new FunctionEntry { Name = attribute.Name, Method = candidates[0], Bindings = bindings, Directory = dir };
            }
            return functions;
        }
    }
}
