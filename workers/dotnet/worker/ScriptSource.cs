// A C# Script function (run.csx) as C# that mcs compiles: the script's `#r` lines become references
// (the Functions assemblies are the shim, framework assemblies Mono's), its `using` directives move to
// the top beside the host's default imports, and its members go into a class marked with the function's
// name. `#line` directives keep mcs's messages on run.csx's own lines.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchboard.Worker
{
    public sealed class ScriptSource
    {
        // What a script may use without a `using`, as the Azure Functions host imports it.
        public static readonly string[] DefaultImports = {
            "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http",
            "System.Security.Claims", "System.Threading.Tasks", "Microsoft.Azure.WebJobs",
            "Microsoft.Azure.WebJobs.Host", "Microsoft.Azure.WebJobs.Extensions.Http",
            "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Mvc", "Microsoft.Extensions.Logging",
            "Microsoft.Extensions.Primitives",
        };

        // `#r` names that the shim assembly stands for.
        static readonly string[] ShimAssemblies = {
            "Microsoft.Azure.WebJobs", "Microsoft.Azure.WebJobs.Host", "Microsoft.Azure.WebJobs.Extensions",
            "Microsoft.Azure.WebJobs.Extensions.Http", "Microsoft.Azure.WebJobs.Extensions.SignalRService",
            "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Http.Abstractions", "Microsoft.AspNetCore.Mvc",
            "Microsoft.AspNetCore.Mvc.Abstractions", "Microsoft.AspNetCore.Mvc.Core", "Microsoft.Extensions.Logging",
            "Microsoft.Extensions.Logging.Abstractions", "Microsoft.Extensions.Primitives",
        };

        static readonly Regex Reference = new Regex("^\\s*#r\\s+\"([^\"]+)\"\\s*$");
        static readonly Regex Load = new Regex("^\\s*#load\\b");
        static readonly Regex Using = new Regex("^\\s*using\\s+(static\\s+)?[A-Za-z_][\\w.]*(\\s*=\\s*[A-Za-z_][\\w.<>, ]*)?\\s*;\\s*(//.*)?$");

        public string Code { get; private set; }
        public List<string> References { get; private set; }

        // `file`: run.csx; `path`: how messages name it (relative to the app root); `name`: the
        // function; `className`: a C# identifier unique in the assembly. Throws CompileError for a
        // `#load` or a `#r` that names nothing available.
        public static ScriptSource Wrap(string file, string path, string name, string className)
        {
            var lines = File.ReadAllLines(file);
            var references = new List<string>();
            var usings = new StringBuilder();
            var body = new StringBuilder();
            bool header = true;  // directives come before the script's first member
            bool inComment = false;  // inside a /* ... */ comment of the header
            string quoted = Quote(path);
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                string trimmed = line.Trim();
                if (header && (inComment || trimmed.StartsWith("/*")))
                {
                    inComment = !trimmed.Contains("*/") || (trimmed.StartsWith("/*") && trimmed.IndexOf("*/", 2) < 0);
                    body.AppendLine(line);
                    continue;
                }
                if (header)
                {
                    var r = Reference.Match(line);
                    if (r.Success)
                    {
                        string reference = Resolve(r.Groups[1].Value, Path.GetDirectoryName(file));
                        if (reference == null)
                            throw new CompileError(path + "(" + (i + 1) + "): #r \"" + r.Groups[1].Value + "\": no such assembly here (the Functions and SignalR Service assemblies, Mono's framework assemblies, or a .dll beside run.csx or in its bin/ folder)");
                        if (reference.Length > 0) references.Add(reference);
                        body.AppendLine();
                        continue;
                    }
                    if (Load.IsMatch(line))
                        throw new CompileError(path + "(" + (i + 1) + "): #load is not supported by Switchboard's C# Script functions");
                    if (Using.IsMatch(line))
                    {
                        usings.Append("#line ").Append(i + 1).Append(' ').AppendLine(quoted);
                        usings.AppendLine(line);
                        body.AppendLine();
                        continue;
                    }
                    if (trimmed.Length > 0 && !trimmed.StartsWith("//") && !trimmed.StartsWith("#")) header = false;
                }
                body.AppendLine(line);
            }
            var code = new StringBuilder();
            foreach (var import in DefaultImports) code.Append("using ").Append(import).AppendLine(";");
            code.Append(usings);
            code.AppendLine("#line default");
            code.AppendLine("namespace Switchboard.Scripts {");
            code.Append("[Switchboard.Functions.ScriptFunction(").Append(Quote(name)).AppendLine(")]");
            code.Append("public class ").Append(className).AppendLine(" {");
            code.Append("#line 1 ").AppendLine(quoted);
            code.Append(body);
            code.AppendLine("#line default");
            code.AppendLine("}}");
            return new ScriptSource { Code = code.ToString(), References = references };
        }

        // "" for the shim's names (always referenced), a path or framework file name, or null.
        static string Resolve(string reference, string directory)
        {
            string bare = reference.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? reference.Substring(0, reference.Length - 4) : reference;
            foreach (var shim in ShimAssemblies)
                if (string.Equals(shim, bare, StringComparison.OrdinalIgnoreCase)) return "";
            if (reference.IndexOf('/') < 0)
            {
                string framework = Path.Combine(Path.GetDirectoryName(typeof(object).Assembly.Location), bare + ".dll");
                if (File.Exists(framework)) return bare + ".dll";
            }
            foreach (var candidate in new[] { Path.Combine(directory, reference), Path.Combine(directory, "bin", reference) })
                if (candidate.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) && File.Exists(candidate)) return Path.GetFullPath(candidate);
            return null;
        }

        static string Quote(string text)
        {
            return "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        }
    }

    // A compile (or pre-compile) error: the message names the file and line.
    public sealed class CompileError : Exception
    {
        public CompileError(string message) : base(message) { }
    }
}
