// JavaScript functions: the Node worker (workers/node/worker.mjs), Node.js programming models v3
// (function.json folders) and v4 (functions registered by the files of package.json's "main"
// through the real @azure/functions package, read at start by workers/node/describe.mjs).
#include <filesystem>
#include <fstream>

#include "functions/languages/describe_mode.hpp"
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
  // A v4 app says "main" in its package.json (a package.json that is not JSON is reported by the
  // describe script, naming the file); without it there is nothing to ask the worker.
  std::map<std::string, nlohmann::json> discover(const DiscoveryContext& context) const override {
    std::ifstream in(context.root / "package.json");
    if (!in) return {};
    const auto doc = nlohmann::json::parse(in, nullptr, false);
    if (!doc.is_discarded() && (!doc.is_object() || !doc.contains("main"))) return {};
    return run_describe_mode(context, {"node", "node", "describe.mjs"});
  }
};

}  // namespace

std::unique_ptr<LanguageWorker> make_node_worker() {
  return std::make_unique<NodeWorker>();
}

}  // namespace switchboard::functions
