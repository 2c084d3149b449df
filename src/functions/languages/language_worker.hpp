// The languages whose functions run in a long-lived worker process (workers/<label>/) speaking the
// custom-handler protocol to the host (custom_handler.hpp). One class per language, every one
// listed in language_workers.cpp, so that adding a language touches one place: which functions it
// runs, how its worker process starts, and which functions an app declares in its code
// (annotations, attributes, decorators, registrations) rather than in function.json files.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "functions/app_config.hpp"

namespace switchboard::functions {

// What a language needs to find the functions an app declares in code.
struct DiscoveryContext {
  std::filesystem::path root;  // the app root, absolute
  // The folder holding the workers (worker_location.hpp); throws AppError when none is found, so
  // that a language asks for it only when the app is written in it.
  std::function<std::filesystem::path()> workers_dir;
};

class LanguageWorker {
 public:
  virtual ~LanguageWorker() = default;
  // "node", "python", ...: the worker's folder under workers/, its log prefix and the
  // FUNCTIONS_WORKER_RUNTIME it is started with.
  virtual std::string label() const = 0;
  // Whether this language runs `function` (its scriptFile's extension, or the files of its folder).
  virtual bool runs(const FunctionSpec& function) const = 0;
  // The worker process for `app` (executable and arguments; the host sets the working directory,
  // the environment and the port). Throws AppError naming what is missing.
  virtual CustomHandlerSpec process(const FunctionApp& app,
                                    const std::filesystem::path& workers_dir) const = 0;
  // The functions the app declares in its code, by name, each as the function.json it stands for
  // (scriptFile/entryPoint set so that runs() is true of it); called before the app is loaded, so
  // it may compile the app (caching under <root>/.switchboard/). Throws AppError naming the file
  // and line (a compile error) or the function. Default: none.
  virtual std::map<std::string, nlohmann::json> discover(const DiscoveryContext& context) const;
};

// Every language, in the order runs() is asked.
const std::vector<std::unique_ptr<LanguageWorker>>& language_workers();

// The language that runs `function`, or null when none does.
const LanguageWorker* language_for(const FunctionSpec& function);

// Every language's discover() for the app at `root`, merged. Throws AppError when two languages
// declare the same function name.
std::map<std::string, nlohmann::json> discover_code_functions(const std::filesystem::path& root);

}  // namespace switchboard::functions
