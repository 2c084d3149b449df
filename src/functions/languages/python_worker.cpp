// Python functions: the Python worker (workers/python/worker.py), Python programming models v1
// (function.json folders) and v2 (function_app.py with decorators, read at start by
// workers/python/describe.py).
#include <cstdlib>
#include <filesystem>

#include "functions/languages/describe_mode.hpp"
#include "functions/languages/language_worker.hpp"
#include "functions/languages/script_language.hpp"

namespace switchboard::functions {
namespace {

class PythonWorker final : public LanguageWorker {
 public:
  std::string label() const override { return "python"; }
  bool runs(const FunctionSpec& function) const override {
    return runs_script(function, {".py"}, "__init__.py");
  }
  CustomHandlerSpec process(const FunctionApp&,
                            const std::filesystem::path& workers_dir) const override {
    CustomHandlerSpec spec;
    spec.executable = "python3";
    spec.arguments = {(workers_dir / "python" / "worker.py").string()};
    return spec;
  }
  // A v2 app has function_app.py in its root (PYTHON_SCRIPT_FILE_NAME names another file).
  std::map<std::string, nlohmann::json> discover(const DiscoveryContext& context) const override {
    const char* name = std::getenv("PYTHON_SCRIPT_FILE_NAME");
    std::error_code ec;
    if (!std::filesystem::is_regular_file(context.root / (name && *name ? name : "function_app.py"),
                                          ec))
      return {};
    return run_describe_mode(context, {"python", "python3", "describe.py"});
  }
};

}  // namespace

std::unique_ptr<LanguageWorker> make_python_worker() {
  return std::make_unique<PythonWorker>();
}

}  // namespace switchboard::functions
