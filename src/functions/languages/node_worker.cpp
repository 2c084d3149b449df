// JavaScript functions: the Node worker (workers/node/worker.mjs), Node.js programming model v3.
#include <filesystem>

#include "functions/languages/language_worker.hpp"
#include "functions/languages/script_language.hpp"

namespace switchboard::functions {
namespace {

class NodeWorker final : public LanguageWorker {
 public:
  std::string label() const override { return "node"; }
  bool runs(const FunctionSpec& function) const override {
    return runs_script(function, {".js", ".mjs", ".cjs"}, "index.js");
  }
  CustomHandlerSpec process(const FunctionApp&,
                            const std::filesystem::path& workers_dir) const override {
    CustomHandlerSpec spec;
    spec.executable = "node";
    spec.arguments = {(workers_dir / "node" / "worker.mjs").string()};
    return spec;
  }
};

}  // namespace

std::unique_ptr<LanguageWorker> make_node_worker() {
  return std::make_unique<NodeWorker>();
}

}  // namespace switchboard::functions
