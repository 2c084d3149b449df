// Compiles an app's C# with mcs, once per content: the class-library sources (*.cs anywhere under the
// app root but bin/, obj/ and dot-folders) into app.dll, the C# Script functions (<name>/run.csx, or
// a .csx scriptFile) into scripts.dll, both against the shim. The output lies in
// <root>/.switchboard/dotnet/<hash>/, <hash> covering the sources and the shim's own build, so an
// unchanged app starts without compiling; a build is made in a temporary folder and renamed into place.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Worker
{
    public sealed class AppBuild
    {
        public const string ShimFile = "Switchboard.Functions.Shim.dll";
        static readonly string[] FrameworkReferences = { "System.Net.Http.dll", "Microsoft.CSharp.dll", "System.Runtime.Serialization.dll" };

        public string Root { get; private set; }
        public string Directory { get; private set; }       // the cache folder of this build
        public string LibraryAssembly { get; private set; } // app.dll, or null when the app has no *.cs
        public string ScriptsAssembly { get; private set; } // scripts.dll, or null without run.csx
        public bool Compiled { get; private set; }          // false: taken from the cache

        public static string RuntimeDirectory
        {
            get { return Path.GetDirectoryName(typeof(AppBuild).Assembly.Location); }
        }

        public static AppBuild Prepare(string root)
        {
            root = Path.GetFullPath(root);
            var sources = LibrarySources(root, root).OrderBy(p => p, StringComparer.Ordinal).ToList();
            var scripts = ScriptFiles(root);
            var hash = ContentHash(root, sources, scripts);
            var build = new AppBuild { Root = root };
            string cache = Path.Combine(root, ".switchboard", "dotnet");
            build.Directory = Path.Combine(cache, hash);
            build.LibraryAssembly = sources.Count > 0 ? Path.Combine(build.Directory, "app.dll") : null;
            build.ScriptsAssembly = scripts.Count > 0 ? Path.Combine(build.Directory, "scripts.dll") : null;
            if (File.Exists(Path.Combine(build.Directory, "complete"))) return build;

            System.IO.Directory.CreateDirectory(cache);
            string temp = Path.Combine(cache, "tmp-" + Process.GetCurrentProcess().Id + "-" + Guid.NewGuid().ToString("N").Substring(0, 8));
            System.IO.Directory.CreateDirectory(temp);
            try
            {
                if (sources.Count > 0)
                    Compile(root, Path.Combine(temp, "app.dll"), sources.Select(p => Relative(root, p)), new string[0]);
                if (scripts.Count > 0)
                {
                    var generated = new List<string>();
                    var references = new List<string>();
                    int index = 0;
                    foreach (var script in scripts)
                    {
                        var wrapped = ScriptSource.Wrap(script.Value, script.Value, script.Key, "Function" + index);
                        string file = Path.Combine(temp, "Function" + index + ".cs");
                        File.WriteAllText(file, wrapped.Code, new UTF8Encoding(false));
                        generated.Add(file);
                        references.AddRange(wrapped.References);
                        index++;
                    }
                    Compile(root, Path.Combine(temp, "scripts.dll"), generated, references.Distinct());
                }
                File.WriteAllText(Path.Combine(temp, "complete"), DateTime.UtcNow.ToString("o"));
                try
                {
                    System.IO.Directory.Move(temp, build.Directory);
                }
                catch (IOException)
                {
                    if (!File.Exists(Path.Combine(build.Directory, "complete"))) throw;  // made by another process meanwhile
                }
                build.Compiled = true;
                RemoveOlderBuilds(cache, build.Directory);
                return build;
            }
            finally
            {
                if (System.IO.Directory.Exists(temp)) System.IO.Directory.Delete(temp, true);
            }
        }

        // Earlier builds of the app (other content): a changed app does not pile them up. The runtime's
        // folders (runtime-*) and builds in progress (tmp-*) are left alone; a worker still running from
        // a removed build keeps its files open.
        static void RemoveOlderBuilds(string cache, string current)
        {
            foreach (var dir in System.IO.Directory.GetDirectories(cache))
            {
                string name = Path.GetFileName(dir);
                if (dir == current || name.StartsWith("runtime-") || name.StartsWith("tmp-")) continue;
                try
                {
                    System.IO.Directory.Delete(dir, true);
                }
                catch (IOException)
                {
                }
                catch (UnauthorizedAccessException)
                {
                }
            }
        }

        // The function name -> run.csx of every C# Script function (a folder with function.json).
        public static SortedDictionary<string, string> ScriptFiles(string root)
        {
            var scripts = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var dir in System.IO.Directory.GetDirectories(root))
            {
                string name = Path.GetFileName(dir);
                if (name.StartsWith(".") || name == "node_modules" || name == "bin" || name == "obj") continue;
                string functionJson = Path.Combine(dir, "function.json");
                if (!File.Exists(functionJson)) continue;
                string scriptFile = null;
                try
                {
                    var doc = Json.Parse(File.ReadAllText(functionJson)) as Dictionary<string, object>;
                    object value;
                    if (doc != null && doc.TryGetValue("scriptFile", out value)) scriptFile = value as string;
                }
                catch (FormatException)
                {
                    continue;  // the host reports function.json errors itself
                }
                if (scriptFile != null && scriptFile.EndsWith(".csx", StringComparison.OrdinalIgnoreCase))
                    scripts[name] = Path.GetFullPath(Path.Combine(dir, scriptFile));
                else if (scriptFile == null && File.Exists(Path.Combine(dir, "run.csx")))
                    scripts[name] = Path.Combine(dir, "run.csx");
            }
            return scripts;
        }

        static IEnumerable<string> LibrarySources(string root, string dir)
        {
            foreach (var file in System.IO.Directory.GetFiles(dir, "*.cs")) yield return file;
            foreach (var sub in System.IO.Directory.GetDirectories(dir))
            {
                string name = Path.GetFileName(sub);
                if (name.StartsWith(".") || name == "bin" || name == "obj" || name == "node_modules") continue;
                foreach (var file in LibrarySources(root, sub)) yield return file;
            }
        }

        static string ContentHash(string root, List<string> sources, SortedDictionary<string, string> scripts)
        {
            using (var sha = SHA256.Create())
            using (var data = new MemoryStream())
            {
                Action<string> add = text => { var b = Encoding.UTF8.GetBytes(text + "\0"); data.Write(b, 0, b.Length); };
                add(Path.GetFileName(RuntimeDirectory));  // the shim's and worker's own content hash
                add(Environment.Version.ToString());
                foreach (var file in sources)
                {
                    add("cs:" + Relative(root, file));
                    var b = File.ReadAllBytes(file);
                    data.Write(b, 0, b.Length);
                }
                foreach (var script in scripts)
                {
                    add("csx:" + script.Key + ":" + Relative(root, script.Value));
                    var b = File.ReadAllBytes(script.Value);
                    data.Write(b, 0, b.Length);
                }
                var digest = sha.ComputeHash(data.ToArray());
                return BitConverter.ToString(digest, 0, 12).Replace("-", "").ToLowerInvariant();
            }
        }

        static string Relative(string root, string path)
        {
            string full = Path.GetFullPath(path);
            string prefix = root.EndsWith("/") ? root : root + "/";
            return full.StartsWith(prefix, StringComparison.Ordinal) ? full.Substring(prefix.Length) : full;
        }

        // mcs in the app root, so that its messages name files as the app lays them out.
        static void Compile(string root, string output, IEnumerable<string> files, IEnumerable<string> references)
        {
            var args = new List<string> { "-target:library", "-nologo", "-debug", "-nowarn:105", "-out:" + output,
                                          "-r:" + Path.Combine(RuntimeDirectory, ShimFile) };
            foreach (var r in FrameworkReferences) args.Add("-r:" + r);
            foreach (var r in references) args.Add("-r:" + r);
            args.AddRange(files);
            var info = new ProcessStartInfo("mcs", string.Join(" ", args.Select(QuoteArgument)))
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = root,
            };
            Process process;
            try
            {
                process = Process.Start(info);
            }
            catch (Exception e)
            {
                throw new CompileError("cannot run mcs (install mono-mcs): " + e.Message);
            }
            var stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            string all = stdout + stderr.Result;
            if (process.ExitCode == 0) return;
            string prefix = root.TrimEnd('/') + "/";  // messages name files relative to the app root
            var errors = all.Split('\n').Where(l => l.Contains(": error ")).Select(l => l.Trim().Replace(prefix, "")).ToList();
            throw new CompileError("mcs could not compile the app:\n" + (errors.Count > 0 ? string.Join("\n", errors) : all.Trim()));
        }

        static string QuoteArgument(string argument)
        {
            if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '"', '\'', '\\', '\t' }) < 0) return argument;
            return "\"" + argument.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";
        }
    }
}
