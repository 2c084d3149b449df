// C# functions on Mono (docs/dotnet.md): class libraries (*.cs with [FunctionName] methods, found
// by the worker's describe mode and declared to the host as the function.json the Azure build would
// generate) and C# Script (<function>/run.csx beside its function.json), both run by the .NET
// worker (workers/dotnet, compiled by dotnet_runtime) over the custom-handler protocol.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "functions/languages/dotnet_runtime.hpp"
#include "functions/languages/language_worker.hpp"
#include "functions/languages/run_program.hpp"
#include "functions/languages/script_language.hpp"

namespace switchboard::functions {
namespace {

const char* kWorkerExecutable = "Switchboard.Worker.exe";

class DotnetWorker final : public LanguageWorker {
 public:
  std::string label() const override { return "dotnet"; }

  // A class-library function's scriptFile is the compiled app.dll; a script's is run.csx.
  bool runs(const FunctionSpec& function) const override {
    return runs_script(function, {".csx", ".dll"}, "run.csx");
  }

  CustomHandlerSpec process(const FunctionApp& app,
                            const std::filesystem::path& workers_dir) const override {
    CustomHandlerSpec spec;
    spec.executable = "mono";
    spec.arguments = {"--debug",
                      (dotnet_runtime(app.root, workers_dir) / kWorkerExecutable).string(), "serve",
                      app.root.string()};
    return spec;
  }

  // Compiles the app (cached by content) and asks the worker which [FunctionName] methods it has.
  std::map<std::string, nlohmann::json> discover(const DiscoveryContext& context) const override {
    if (!has_csharp_code(context.root)) return {};
    auto runtime = dotnet_runtime(context.root, context.workers_dir());
    ProgramSpec spec;
    spec.executable = "mono";
    spec.arguments = {"--debug", (runtime / kWorkerExecutable).string(), "describe",
                      context.root.string()};
    auto run = run_program(spec);
    if (!run.started)
      throw AppError("C# functions need Mono: mono cannot be started (" + run.start_error +
                     "); install the Debian packages mono-runtime and mono-mcs.");
    if (run.timed_out) throw AppError(context.root.string() + ": compiling the C# code timed out");
    if (!run.succeeded()) {
      std::string reason = run.errors.empty() ? run.output : run.errors;
      while (!reason.empty() && (reason.back() == '\n' || reason.back() == '\r')) reason.pop_back();
      throw AppError(context.root.string() + ": " + reason);
    }
    auto described = nlohmann::json::parse(run.output, nullptr, false);
    if (!described.is_object() || !described.contains("functions") ||
        !described["functions"].is_object())
      throw AppError("The .NET worker's describe mode printed no function list: " + run.output);
    std::map<std::string, nlohmann::json> functions;
    for (auto it = described["functions"].begin(); it != described["functions"].end(); ++it)
      functions[it.key()] = it.value();
    return functions;
  }
};

}  // namespace

std::unique_ptr<LanguageWorker> make_dotnet_worker() {
  return std::make_unique<DotnetWorker>();
}

}  // namespace switchboard::functions
