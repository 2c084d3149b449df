// Python functions: the Python worker (workers/python/worker.py), Python programming model v1.
#include <filesystem>

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
};

}  // namespace

std::unique_ptr<LanguageWorker> make_python_worker() {
  return std::make_unique<PythonWorker>();
}

}  // namespace switchboard::functions
