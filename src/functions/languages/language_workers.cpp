// The list of languages (language_worker.hpp), the lookup of a function's language, and the merge
// of every language's discovered functions.
#include <fmt/format.h>

#include "functions/languages/language_worker.hpp"
#include "functions/runtime/worker_location.hpp"

namespace switchboard::functions {

// Each language's factory, defined in its own file.
std::unique_ptr<LanguageWorker> make_node_worker();
std::unique_ptr<LanguageWorker> make_python_worker();
std::unique_ptr<LanguageWorker> make_dotnet_worker();
std::unique_ptr<LanguageWorker> make_java_worker();

std::map<std::string, nlohmann::json> LanguageWorker::discover(const DiscoveryContext&) const {
  return {};
}

const std::vector<std::unique_ptr<LanguageWorker>>& language_workers() {
  static const std::vector<std::unique_ptr<LanguageWorker>> languages = [] {
    std::vector<std::unique_ptr<LanguageWorker>> list;
    list.push_back(make_node_worker());
    list.push_back(make_python_worker());
    list.push_back(make_dotnet_worker());
    list.push_back(make_java_worker());
    return list;
  }();
  return languages;
}

const LanguageWorker* language_for(const FunctionSpec& function) {
  for (const auto& language : language_workers())
    if (language->runs(function)) return language.get();
  return nullptr;
}

std::map<std::string, nlohmann::json> discover_code_functions(const std::filesystem::path& root) {
  DiscoveryContext context;
  std::error_code ec;
  context.root = std::filesystem::absolute(root, ec).lexically_normal();
  context.workers_dir = [] {
    try {
      return workers_directory();
    } catch (const WorkerLocationError& e) {
      throw AppError(std::string("The language workers are not found: ") + e.what());
    }
  };
  std::map<std::string, nlohmann::json> functions;
  std::map<std::string, std::string> declared_by;
  for (const auto& language : language_workers()) {
    for (auto& [name, doc] : language->discover(context)) {
      if (auto it = declared_by.find(name); it != declared_by.end())
        throw AppError(fmt::format("{}: function '{}' is declared by both the {} and the {} code",
                                   context.root.string(), name, it->second, language->label()));
      declared_by[name] = language->label();
      functions[name] = std::move(doc);
    }
  }
  return functions;
}

}  // namespace switchboard::functions
