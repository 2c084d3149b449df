// Feeds a function's function.json text to the loading of a function app
// (functions/app_config's load_function_app with functions declared in code, which runs
// functions/config/function_json and the binding parsers, then the app-wide checks: routes,
// methods, trigger keys). The same document is loaded as one function and as two (so that the
// checks between functions run). An app loads or is refused with an AppError; no other
// exception escapes.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "app_json.hpp"
#include "functions/app_config.hpp"
#include "fuzz_support.hpp"

namespace functions = switchboard::functions;

namespace {

std::optional<std::string> setting(const std::string& name) {
  static const std::map<std::string, std::string> values = {
      {"AzureSignalRConnectionString",
       "Endpoint=http://localhost;Port=8888;AccessKey=key-of-the-fuzz-app;Version=1.0;"},
      {"HUB", "chat"},
      {"EVENT", "connected"}};
  auto it = values.find(name);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

void load(const nlohmann::json& doc, bool twice) {
  functions::LoadOptions options;
  options.environment = setting;
  options.code_functions = {{"first", doc}};
  if (twice) options.code_functions.emplace("second", doc);
  try {
    auto app = functions::load_function_app({}, options);
    FUZZ_CHECK(app.functions.size() == (twice ? 2u : 1u), "every function is loaded");
    for (const auto& function : app.functions)
      FUZZ_CHECK(function.is_http() || function.signalr_trigger, "a function has a trigger");
  } catch (const functions::AppError& e) {
    FUZZ_CHECK(*e.what() != '\0', "an error says what is wrong");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto doc = fuzz::parse_app_json(fuzz::bytes(data, size));
  if (doc.is_discarded()) return 0;
  load(doc, false);
  load(doc, true);
  return 0;
}
