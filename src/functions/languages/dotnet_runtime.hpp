// The .NET worker's own build (workers/dotnet: the shim assembly with the Azure Functions types and
// the worker executable), compiled with Mono's mcs into <app
// root>/.switchboard/dotnet/runtime-<hash>/ once per content of those sources; and whether an app
// has C# code at all.
#pragma once

#include <filesystem>

namespace switchboard::functions {

// The folder holding Switchboard.Functions.Shim.dll and Switchboard.Worker.exe for the sources in
// `workers_dir`/dotnet, compiled if no complete build of them is cached under `app_root`. Throws
// AppError when mcs is missing or fails (naming the file and line).
std::filesystem::path dotnet_runtime(const std::filesystem::path& app_root,
                                     const std::filesystem::path& workers_dir);

// Whether the app at `root` has *.cs or *.csx files (outside bin/, obj/, node_modules/ and
// dot-folders): only then is Mono needed.
bool has_csharp_code(const std::filesystem::path& root);

}  // namespace switchboard::functions
