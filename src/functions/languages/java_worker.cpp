// Java functions: an app in the Maven layout (src/main/java) compiled at start (java_build.hpp) and
// run by the Java worker (workers/java: switchboard.worker.Main serve).
#include <filesystem>

#include "functions/languages/java_build.hpp"
#include "functions/languages/language_worker.hpp"

namespace switchboard::functions {
namespace {

// A discovered Java function's scriptFile is the folder of its compiled classes.
bool is_java_classes(const std::filesystem::path& script) {
  return script.filename() == "classes" &&
         script.parent_path().parent_path().filename() == "java" &&
         script.parent_path().parent_path().parent_path().filename() == ".switchboard";
}

class JavaWorker final : public LanguageWorker {
 public:
  std::string label() const override { return "java"; }

  bool runs(const FunctionSpec& function) const override {
    return !function.entry_point.empty() && is_java_classes(function.script_file);
  }

  CustomHandlerSpec process(const FunctionApp& app, const std::filesystem::path&) const override {
    std::filesystem::path classes;
    for (const auto& function : app.functions)
      if (runs(function)) classes = function.script_file;
    CustomHandlerSpec spec;
    spec.executable = "java";
    // --add-opens: the worker removes SWITCHBOARD_WORKER_SECRET from its environment
    // (WorkerSecret.java).
    spec.arguments = {"-XX:+UseSerialGC",      "-XX:TieredStopAtLevel=1",         "-Xshare:auto",
                      "--add-opens",           "java.base/java.util=ALL-UNNAMED", "-cp",
                      java_classpath(classes), "switchboard.worker.Main",         "serve",
                      classes.string()};
    return spec;
  }

  std::map<std::string, nlohmann::json> discover(const DiscoveryContext& context) const override {
    if (java_sources(context.root).empty()) return {};
    return build_java_app(context.root, context.workers_dir()).functions;
  }
};

}  // namespace

std::unique_ptr<LanguageWorker> make_java_worker() {
  return std::make_unique<JavaWorker>();
}

}  // namespace switchboard::functions
