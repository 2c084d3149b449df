// Switchboard's .NET language worker (Mono): runs C# class-library functions ([FunctionName]) and C#
// Script functions (run.csx) written for the Azure Functions in-process model, over the custom-handler
// protocol (docs/dotnet.md). Started by the functions host:
//
//   mono Switchboard.Worker.exe describe APP_ROOT
//       compiles the app if its build is not cached (AppBuild) and prints
//       {"functions": {name: function.json}, "build": {...}} for the class-library functions;
//       exit status 1 with the reason (mcs's messages, file and line) on stderr when it cannot.
//   mono Switchboard.Worker.exe serve APP_ROOT
//       the long-lived worker: listens on 127.0.0.1:$FUNCTIONS_CUSTOMHANDLER_PORT, takes only
//       requests carrying $SWITCHBOARD_WORKER_SECRET (removed from the environment at start):
//         GET  /                 readiness probe (the host's, without the secret: 403 with the proof)
//         POST /<FunctionName>   {"Data", "Metadata"} -> 200 {"Outputs", "ReturnValue", "Logs"}
//                                or 500 {"error": "<Exception type>: <message>", "message", "Logs"}
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Switchboard.Worker
{
    public static class Program
    {
        static Dictionary<string, FunctionEntry> functions;

        public static int Main(string[] args)
        {
            if (args.Length != 2 || (args[0] != "describe" && args[0] != "serve"))
            {
                Console.Error.WriteLine("usage: mono Switchboard.Worker.exe describe|serve APP_ROOT");
                return 2;
            }
            AppDomain.CurrentDomain.AssemblyResolve += (sender, e) =>
                new AssemblyName(e.Name).Name == Path.GetFileNameWithoutExtension(AppBuild.ShimFile)
                    ? typeof(Microsoft.Azure.WebJobs.FunctionNameAttribute).Assembly : null;
            Switchboard.Functions.JsonHooks.Serialize = Json.Write;
            Switchboard.Functions.JsonHooks.Deserialize = (text, type) => Json.ToType(Json.Parse(text), type);
            return args[0] == "describe" ? Describe(args[1]) : Serve(args[1]);
        }

        static Dictionary<string, FunctionEntry> Load(AppBuild build)
        {
            var all = new Dictionary<string, FunctionEntry>(StringComparer.OrdinalIgnoreCase);
            if (build.LibraryAssembly != null)
            {
                string relative = build.LibraryAssembly.Substring(build.Root.Length).TrimStart('/');
                foreach (var f in Catalog.FromLibrary(Assembly.LoadFrom(build.LibraryAssembly), build.Root, relative)) all[f.Key] = f.Value;
            }
            if (build.ScriptsAssembly != null)
                foreach (var f in Catalog.FromScripts(Assembly.LoadFrom(build.ScriptsAssembly), build.Root))
                {
                    if (all.ContainsKey(f.Key)) throw new LoadError("function '" + f.Key + "' is declared both by a [FunctionName] method and by " + f.Key + "/run.csx");
                    all[f.Key] = f.Value;
                }
            foreach (var f in all.Values) Invoker.Check(f);
            return all;
        }

        static int Describe(string root)
        {
            try
            {
                var build = AppBuild.Prepare(root);
                var loaded = Load(build);
                var described = new SortedDictionary<string, object>(StringComparer.Ordinal);
                foreach (var f in loaded.Values.Where(f => f.FunctionJson != null)) described[f.Name] = f.FunctionJson;
                var result = new Dictionary<string, object>
                {
                    { "functions", described },
                    { "build", new Dictionary<string, object> { { "directory", build.Directory }, { "compiled", build.Compiled } } },
                };
                Console.Out.Write(Json.Write(result));
                return 0;
            }
            catch (CompileError e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            catch (LoadError e)
            {
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            catch (Exception e)
            {
                Console.Error.WriteLine("the .NET worker could not read the app: " + e);
                return 2;
            }
        }

        static int Serve(string root)
        {
            string secret = Environment.GetEnvironmentVariable("SWITCHBOARD_WORKER_SECRET");
            Environment.SetEnvironmentVariable("SWITCHBOARD_WORKER_SECRET", null);
            if (string.IsNullOrEmpty(secret))
            {
                Console.Error.WriteLine("dotnet worker: SWITCHBOARD_WORKER_SECRET is not set; only the functions host can start this worker");
                return 2;
            }
            var build = AppBuild.Prepare(root);
            functions = Load(build);
            int port;
            int.TryParse(Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT") ?? "0", out port);
            var server = new Server(secret, Handle);
            int bound;
            try
            {
                bound = server.Start(port);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                // Another program took the port after the host chose it: end at once, and the host's
                // next start gives another port.
                Console.Error.WriteLine("dotnet worker: cannot listen on 127.0.0.1:" + port + ": " + e.Message);
                Environment.Exit(1);
                return 1;
            }
            Console.WriteLine("dotnet worker listening on 127.0.0.1:" + bound + " (app " + build.Root + ", " + functions.Count + " functions, Mono " + MonoVersion() + ")");
            System.Threading.Thread.Sleep(System.Threading.Timeout.Infinite);
            return 0;
        }

        static string MonoVersion()
        {
            var runtime = Type.GetType("Mono.Runtime");
            var display = runtime == null ? null : runtime.GetMethod("GetDisplayName", BindingFlags.NonPublic | BindingFlags.Static);
            return display == null ? Environment.Version.ToString() : Convert.ToString(display.Invoke(null, null)).Split(' ')[0];
        }

        static KeyValuePair<int, string> Answer(int status, object value)
        {
            return new KeyValuePair<int, string>(status, Json.Write(value));
        }

        static KeyValuePair<int, string> Handle(Request request)
        {
            string path = request.Target.Split('?')[0];
            string name = Uri.UnescapeDataString(path.TrimStart('/'));
            if (request.Method != "POST" || name.Length == 0)
                return Answer(200, new Dictionary<string, object> { { "worker", "dotnet" }, { "version", MonoVersion() } });
            FunctionEntry function;
            if (!functions.TryGetValue(name, out function))
                return Answer(404, new Dictionary<string, object> { { "error", "FunctionNotFound: no C# function named '" + name + "'" } });
            Dictionary<string, object> payload;
            try
            {
                payload = request.Body.Length == 0 ? new Dictionary<string, object>() : Json.Parse(System.Text.Encoding.UTF8.GetString(request.Body)) as Dictionary<string, object>;
                if (payload == null) throw new FormatException("not an object");
            }
            catch (FormatException e)
            {
                return Answer(400, new Dictionary<string, object> { { "error", "BadRequest: the invocation body is not a JSON object: " + e.Message } });
            }
            string invocationId;
            if (!request.Headers.TryGetValue("x-azure-functions-invocationid", out invocationId)) invocationId = Guid.NewGuid().ToString();
            List<string> logs = null;
            try
            {
                return Answer(200, Invoker.Invoke(function, payload, invocationId, ref logs));
            }
            catch (FunctionFailure e)
            {
                return Answer(500, new Dictionary<string, object> { { "error", e.Message }, { "message", e.FunctionMessage }, { "Logs", e.Logs } });
            }
            catch (Exception e)
            {
                // Binding the inputs or writing the outputs failed: the host's side of the function.
                Console.Error.WriteLine("Functions." + name + ": " + e);
                var cause = e is TargetInvocationException && e.InnerException != null ? e.InnerException : e;
                return Answer(500, new Dictionary<string, object> { { "error", cause.GetType().FullName + ": " + cause.Message }, { "Logs", logs ?? new List<string>() } });
            }
        }
    }
}
