// Marks the class the worker wraps a C# Script function's run.csx in (workers/dotnet/worker
// ScriptSource.cs), so that the worker finds each function's code in the compiled scripts.
using System;

namespace Switchboard.Functions
{
    [AttributeUsage(AttributeTargets.Class)]
    public sealed class ScriptFunctionAttribute : Attribute
    {
        public ScriptFunctionAttribute(string name) { Name = name; }
        public string Name { get; private set; }
    }
}
