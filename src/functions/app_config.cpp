// Loading a function app: reads host.json, local.settings.json and each <function>/function.json
// through their parsers (functions/config/) and checks what spans functions (routes). The app
// either starts completely or the error names the file, function and field that is wrong.
#include "functions/app_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <system_error>

#include "functions/config/function_json.hpp"
#include "functions/config/host_json.hpp"
#include "functions/config/json_file.hpp"
#include "functions/config/local_settings.hpp"
#include "util/text.hpp"

namespace switchboard::functions {

namespace fs = std::filesystem;
using config::fail;
using config::read_json_file;
using nlohmann::json;
using util::iequals;

namespace {

FunctionSpec load_function(const FunctionApp& app, const fs::path& display_root,
                           const std::string& name, const LoadOptions& options) {
  const std::string file = (display_root / name / "function.json").string();
  return config::parse_function(app, name, read_json_file(app.root / name / "function.json", file),
                                file, options);
}

// Two enabled signalRTrigger functions must not handle the same (hub, category, event), compared
// ignoring case as the webhook matches them.
void check_trigger_keys(const FunctionApp& app, const std::string& root_display) {
  for (std::size_t i = 0; i < app.functions.size(); ++i) {
    const FunctionSpec& a = app.functions[i];
    if (a.disabled || !a.signalr_trigger) continue;
    for (std::size_t j = i + 1; j < app.functions.size(); ++j) {
      const FunctionSpec& b = app.functions[j];
      if (b.disabled || !b.signalr_trigger) continue;
      const auto &x = *a.signalr_trigger, &y = *b.signalr_trigger;
      if (!iequals(x.hub_name, y.hub_name) || x.category != y.category ||
          !iequals(x.event, y.event))
        continue;
      throw AppError(fmt::format(
          "{}: functions '{}' and '{}' both handle the SignalR event (hub '{}', category '{}', "
          "event '{}')",
          root_display, a.name, b.name, x.hub_name, x.category, x.event));
    }
  }
}

bool methods_overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return true;
  return std::any_of(a.begin(), a.end(), [&](const std::string& m) {
    return std::find(b.begin(), b.end(), m) != b.end();
  });
}

}  // namespace

std::string Binding::get(std::string_view key) const {
  const json* v = config::member(raw, key);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string{};
}

std::optional<std::string> FunctionApp::setting(const std::string& name) const {
  if (environment) {
    if (auto value = environment(name)) return value;
  }
  if (auto it = settings.values.find(name); it != settings.values.end()) return it->second;
  for (const auto& [key, value] : settings.values)
    if (iequals(key, name)) return value;
  return std::nullopt;
}

std::optional<std::string> FunctionApp::connection_string(const std::string& setting_name) const {
  auto usable = [](const std::optional<std::string>& v) { return v && !v->empty(); };
  if (environment) {
    for (const char* sep : {":", "__"}) {
      auto value = environment(fmt::format("ConnectionStrings{}{}", sep, setting_name));
      if (usable(value)) return value;
    }
  }
  if (auto it = settings.connection_strings.find(setting_name);
      it != settings.connection_strings.end() && !it->second.empty())
    return it->second;
  for (const auto& [key, value] : settings.connection_strings)
    if (iequals(key, setting_name) && !value.empty()) return value;
  auto value = setting(setting_name);
  if (usable(value)) return value;
  return std::nullopt;
}

FunctionApp load_function_app(const fs::path& root, const LoadOptions& options) {
  std::error_code ec;
  // No folder at all: an app made only of functions declared in code, with default settings.
  const bool code_only = root.empty();
  const fs::path where = code_only ? fs::current_path(ec) : root;
  const std::string root_display = where.string();
  if (!fs::exists(where, ec)) fail(root_display, "no such directory");
  if (!fs::is_directory(where, ec)) fail(root_display, "not a directory");
  const fs::path host_path = where / "host.json";
  const std::string host_display = host_path.string();
  if (!code_only && !fs::is_regular_file(host_path, ec)) fail(host_display, "not found");

  FunctionApp app;
  fs::path absolute = fs::absolute(where, ec).lexically_normal();
  if (!absolute.has_filename() && absolute.has_parent_path() && absolute != absolute.root_path())
    absolute = absolute.parent_path();
  app.root = absolute;
  app.environment = options.environment;
  if (!app.environment) {
    app.environment = [](const std::string& name) -> std::optional<std::string> {
      if (const char* v = std::getenv(name.c_str())) return std::string(v);
      return std::nullopt;
    };
  }

  json host_doc = code_only ? json{{"version", "2.0"}} : read_json_file(host_path, host_display);
  const fs::path settings_path = where / "local.settings.json";
  if (!code_only && fs::exists(settings_path, ec)) {
    const std::string display = settings_path.string();
    app.settings = config::parse_local_settings(read_json_file(settings_path, display), display);
  }
  app.host = config::parse_host_json(host_doc, app, host_display);

  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(code_only ? fs::path() : root, ec)) {
    std::error_code entry_ec;
    if (!entry.is_directory(entry_ec)) continue;
    std::string name = entry.path().filename().string();
    if (name.empty() || name.front() == '.' || name == "node_modules") continue;
    if (!fs::is_regular_file(entry.path() / "function.json", entry_ec)) continue;
    names.push_back(std::move(name));
  }
  if (code_only) ec.clear();
  if (ec) fail(root_display, fmt::format("cannot list the directory: {}", ec.message()));
  std::sort(names.begin(), names.end());
  for (const auto& name : names) app.functions.push_back(load_function(app, root, name, options));
  // Functions declared in code; a folder with the same name keeps its own function.json.
  for (const auto& [name, doc] : options.code_functions) {
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    app.functions.push_back(config::parse_function(
        app, name, doc, "function '" + name + "' (declared in code)", options));
  }
  std::sort(app.functions.begin(), app.functions.end(),
            [](const FunctionSpec& a, const FunctionSpec& b) { return a.name < b.name; });

  check_trigger_keys(app, root_display);
  // Two enabled functions on the same route text must not share a method.
  for (std::size_t i = 0; i < app.functions.size(); ++i) {
    const FunctionSpec& a = app.functions[i];
    if (a.disabled || !a.is_http()) continue;
    for (std::size_t j = i + 1; j < app.functions.size(); ++j) {
      const FunctionSpec& b = app.functions[j];
      if (b.disabled || !b.is_http() || !iequals(a.http.route, b.http.route)) continue;
      if (!methods_overlap(a.http.methods, b.http.methods)) continue;
      throw AppError(
          fmt::format("{}: functions '{}' and '{}' both handle route '{}' with overlapping methods",
                      root_display, a.name, b.name, a.http.route));
    }
  }
  return app;
}

}  // namespace switchboard::functions
