// Loading a function app from disk: host.json, local.settings.json and each
// <function>/function.json, validated up front into FunctionApp so that the host either starts
// completely or names the file, function and field that is wrong.
#include "functions/app_config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <system_error>

#include "functions/route_template.hpp"
#include "util/duration.hpp"
#include "util/json.hpp"
#include "util/url.hpp"

namespace switchboard::functions {

namespace fs = std::filesystem;
using nlohmann::json;
using util::iequals;

using util::to_lower;
using util::trim;

namespace {

constexpr const char* kDefaultConnectionSetting = "AzureSignalRConnectionString";

std::string to_upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A member by case-insensitive key; JSON null counts as absent.
const json* member(const json& object, std::string_view key) {
  return util::find_present_member(object, key);
}

[[noreturn]] void fail(const std::string& file, std::string_view message) {
  throw AppError(fmt::format("{}: {}", file, message));
}

json read_json_file(const fs::path& path, const std::string& display) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(display, "cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  // A UTF-8 byte order mark is common in files written by Windows editors.
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  try {
    return json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::parse_error& e) {
    fail(display, fmt::format("invalid JSON: {}", e.what()));
  }
}

// A string member: nullopt when absent or null, an error for any other type.
std::optional<std::string> string_member(const json& object, std::string_view key,
                                         const std::string& file, std::string_view field) {
  const json* v = member(object, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string())
    fail(file, fmt::format("'{}' must be a string, got {}", field, v->type_name()));
  return v->get<std::string>();
}

std::optional<bool> bool_member(const json& object, std::string_view key, const std::string& file,
                                std::string_view field) {
  const json* v = member(object, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) {
    if (iequals(trim(v->get<std::string>()), "true")) return true;
    if (iequals(trim(v->get<std::string>()), "false")) return false;
  }
  fail(file, fmt::format("'{}' must be true or false, got {}", field, v->dump()));
}

// --- host.json -------------------------------------------------------------------------------

// .NET TimeSpan text as host.json writes functionTimeout: [d.]hh:mm[:ss[.fffffff]], or "-1".
std::chrono::milliseconds parse_function_timeout(const json& value, const std::string& file) {
  auto bad = [&]() {
    fail(file, fmt::format("invalid 'functionTimeout' {} (expected \"hh:mm:ss\", \"d.hh:mm:ss\" or "
                           "\"-1\" for no limit)",
                           value.dump()));
  };
  if (!value.is_string()) bad();
  std::string_view s = trim(value.get_ref<const std::string&>());
  if (s == "-1") return std::chrono::hours(24 * 365 * 10);  // "unlimited": ten years
  auto number = [&](std::string_view digits, long long& out) {
    if (digits.empty() || digits.size() > 9) return false;
    for (char c : digits)
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    std::from_chars(digits.data(), digits.data() + digits.size(), out);
    return true;
  };
  long long days = 0, hours = 0, minutes = 0, seconds = 0, millis = 0;
  auto first_colon = s.find(':');
  if (first_colon == std::string_view::npos) bad();
  std::string_view head = s.substr(0, first_colon);
  if (auto dot = head.find('.'); dot != std::string_view::npos) {
    if (!number(head.substr(0, dot), days)) bad();
    head = head.substr(dot + 1);
  }
  if (!number(head, hours)) bad();
  std::string_view rest = s.substr(first_colon + 1);
  auto second_colon = rest.find(':');
  if (!number(rest.substr(0, second_colon), minutes)) bad();
  if (second_colon != std::string_view::npos) {
    std::string_view sec = rest.substr(second_colon + 1);
    std::string_view frac;
    if (auto dot = sec.find('.'); dot != std::string_view::npos) {
      frac = sec.substr(dot + 1);
      sec = sec.substr(0, dot);
      long long ignored = 0;
      if (!number(frac, ignored)) bad();
      std::string padded(frac.substr(0, std::min<std::size_t>(frac.size(), 3)));
      padded.resize(3, '0');
      millis = std::stoll(padded);
    }
    if (!number(sec, seconds)) bad();
  }
  if (hours > 23 || minutes > 59 || seconds > 59) bad();
  auto total = std::chrono::days(days) + std::chrono::hours(hours) + std::chrono::minutes(minutes) +
               std::chrono::seconds(seconds) + std::chrono::milliseconds(millis);
  if (total.count() <= 0) bad();
  if (total > std::chrono::seconds(util::kMaxDurationSeconds))
    fail(file, fmt::format("invalid 'functionTimeout' {}: longer than {} seconds (use \"-1\" for "
                           "no limit)",
                           value.dump(), util::kMaxDurationSeconds));
  return std::chrono::duration_cast<std::chrono::milliseconds>(total);
}

// Replaces each %NAME% whose setting is defined; unknown ones stay as written (like .NET's
// Environment.ExpandEnvironmentVariables).
std::string expand_settings(std::string_view text, const FunctionApp& app) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '%') {
      auto close = text.find('%', i + 1);
      if (close != std::string_view::npos && close > i + 1) {
        if (auto value = app.setting(std::string(text.substr(i + 1, close - i - 1)))) {
          out += *value;
          i = close + 1;
          continue;
        }
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

CustomHandlerSpec parse_custom_handler(const json& section, std::string_view section_name,
                                       const FunctionApp& app, const std::string& file) {
  if (!section.is_object())
    fail(file, fmt::format("'{}' must be an object, got {}", section_name, section.type_name()));
  CustomHandlerSpec spec;
  const json* description = member(section, "description");
  if (description != nullptr && !description->is_object())
    fail(file, fmt::format("'{}.description' must be an object", section_name));
  const json empty = json::object();
  const json& desc = description != nullptr ? *description : empty;
  auto field = [&](std::string_view key) {
    return fmt::format("{}.description.{}", section_name, key);
  };

  auto executable =
      string_member(desc, "defaultExecutablePath", file, field("defaultExecutablePath"));
  if (!executable || trim(*executable).empty())
    fail(file, fmt::format("'{}' is required", field("defaultExecutablePath")));

  fs::path working = app.root;
  if (auto wd = string_member(desc, "workingDirectory", file, field("workingDirectory"));
      wd && !wd->empty()) {
    fs::path p = expand_settings(*wd, app);
    working = (p.is_absolute() ? p : app.root / p).lexically_normal();
  }
  spec.working_directory = working.string();

  // Like the Functions host: a relative executable is taken from the working directory (or the
  // app root) when the file is there; a bare command name ("node", "python3") is otherwise left
  // for a PATH lookup, and a relative path with a directory part is resolved against the root.
  fs::path exe = expand_settings(std::string(trim(*executable)), app);
  if (exe.is_absolute()) {
    spec.executable = exe.string();
  } else {
    std::error_code ec;
    if (fs::exists(working / exe, ec)) {
      spec.executable = (working / exe).lexically_normal().string();
    } else if (fs::exists(app.root / exe, ec)) {
      spec.executable = (app.root / exe).lexically_normal().string();
    } else if (exe.has_parent_path()) {
      spec.executable = (app.root / exe).lexically_normal().string();
    } else {
      spec.executable = exe.string();
    }
  }

  if (const json* args = member(desc, "arguments")) {
    if (!args->is_array())
      fail(file, fmt::format("'{}' must be an array of strings", field("arguments")));
    for (const auto& a : *args) {
      if (!a.is_string())
        fail(file, fmt::format("'{}' must be an array of strings, found {}", field("arguments"),
                               a.dump()));
      spec.arguments.push_back(expand_settings(a.get<std::string>(), app));
    }
  }
  auto forwarding = bool_member(section, "enableForwardingHttpRequest", file,
                                fmt::format("{}.enableForwardingHttpRequest", section_name));
  auto proxying = bool_member(section, "enableProxyingHttpRequest", file,
                              fmt::format("{}.enableProxyingHttpRequest", section_name));
  spec.enable_forwarding_http_request = forwarding.value_or(false) || proxying.value_or(false);
  return spec;
}

HostConfig parse_host_json(const json& host, const FunctionApp& app, const std::string& file) {
  if (!host.is_object()) fail(file, "must be a JSON object");
  HostConfig config;
  const json* version = member(host, "version");
  if (version == nullptr) fail(file, "missing 'version' (expected \"2.0\")");
  if (!version->is_string() || version->get<std::string>() != "2.0")
    fail(file, fmt::format("'version' must be \"2.0\", got {}", version->dump()));
  config.version = "2.0";

  if (const json* extensions = member(host, "extensions")) {
    if (!extensions->is_object()) fail(file, "'extensions' must be an object");
    if (const json* http = member(*extensions, "http")) {
      if (!http->is_object()) fail(file, "'extensions.http' must be an object");
      if (auto prefix = string_member(*http, "routePrefix", file, "extensions.http.routePrefix")) {
        std::string_view p = trim(*prefix);
        while (!p.empty() && p.front() == '/') p.remove_prefix(1);
        while (!p.empty() && p.back() == '/') p.remove_suffix(1);
        config.route_prefix = std::string(p);
      }
    }
  }

  if (const json* handler = member(host, "customHandler")) {
    config.custom_handler = parse_custom_handler(*handler, "customHandler", app, file);
  } else if (const json* worker = member(host, "httpWorker")) {
    config.custom_handler = parse_custom_handler(*worker, "httpWorker", app, file);
  }

  if (const json* timeout = member(host, "functionTimeout"))
    config.function_timeout = parse_function_timeout(*timeout, file);
  return config;
}

// --- local.settings.json ---------------------------------------------------------------------

LocalSettings parse_local_settings(const json& doc, const std::string& file) {
  if (!doc.is_object()) fail(file, "must be a JSON object");
  LocalSettings settings;
  if (bool_member(doc, "IsEncrypted", file, "IsEncrypted").value_or(false))
    fail(file, "'IsEncrypted': true is not supported (decrypt the settings first)");

  if (const json* values = member(doc, "Values")) {
    if (!values->is_object()) fail(file, "'Values' must be an object");
    for (auto it = values->begin(); it != values->end(); ++it) {
      if (it->is_null()) continue;
      if (it->is_string()) {
        settings.values[it.key()] = it->get<std::string>();
      } else if (it->is_number() || it->is_boolean()) {
        settings.values[it.key()] = it->dump();
      } else {
        fail(file, fmt::format("'Values.{}' must be a string, got {}", it.key(), it->type_name()));
      }
    }
  }

  if (const json* strings = member(doc, "ConnectionStrings")) {
    if (!strings->is_object()) fail(file, "'ConnectionStrings' must be an object");
    for (auto it = strings->begin(); it != strings->end(); ++it) {
      if (it->is_null()) continue;
      if (it->is_string()) {
        settings.connection_strings[it.key()] = it->get<std::string>();
        continue;
      }
      // The older form: {"ConnectionString": "...", "ProviderName": "..."}.
      const json* inner = it->is_object() ? member(*it, "ConnectionString") : nullptr;
      if (inner == nullptr || !inner->is_string())
        fail(file, fmt::format("'ConnectionStrings.{}' must be a string", it.key()));
      settings.connection_strings[it.key()] = inner->get<std::string>();
    }
  }

  if (const json* host = member(doc, "Host")) {
    if (!host->is_object()) fail(file, "'Host' must be an object");
    if (const json* port = member(*host, "LocalHttpPort")) {
      long long n = -1;
      if (port->is_number_integer()) {
        n = port->get<long long>();
      } else if (port->is_string()) {
        std::string_view s = trim(port->get_ref<const std::string&>());
        auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
        if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) n = -1;
      }
      if (n < 1 || n > 65535)
        fail(file, fmt::format("'Host.LocalHttpPort' must be a port number from 1 to 65535, got {}",
                               port->dump()));
      settings.local_http_port = static_cast<int>(n);
    }
    if (auto cors = string_member(*host, "CORS", file, "Host.CORS")) {
      std::string_view rest = *cors;
      while (true) {
        auto comma = rest.find(',');
        std::string_view origin = trim(rest.substr(0, comma));
        if (!origin.empty()) settings.cors_origins.emplace_back(origin);
        if (comma == std::string_view::npos) break;
        rest = rest.substr(comma + 1);
      }
    }
    settings.cors_credentials =
        bool_member(*host, "CORSCredentials", file, "Host.CORSCredentials").value_or(false);
  }
  return settings;
}

// --- function.json ---------------------------------------------------------------------------

struct BindingRule {
  const char* type_lower;
  Direction direction;
};

constexpr BindingRule kBindingRules[] = {
    {"httptrigger", Direction::In},
    {"http", Direction::Out},
    {"signalrconnectioninfo", Direction::In},
    {"signalrnegotiation", Direction::In},
    {"signalr", Direction::Out},
    {"signalrtrigger", Direction::In},
};

const char* direction_name(Direction d) {
  switch (d) {
    case Direction::In:
      return "in";
    case Direction::Out:
      return "out";
    case Direction::InOut:
      return "inout";
  }
  return "?";
}

constexpr const char* kHttpMethods[] = {"GET",  "POST",    "PUT",   "DELETE", "PATCH",
                                        "HEAD", "OPTIONS", "TRACE", "CONNECT"};

// The label of a binding in messages: "binding 2 (type 'signalRConnectionInfo')".
std::string binding_label(std::size_t index, std::string_view type) {
  if (type.empty()) return fmt::format("binding {}", index);
  return fmt::format("binding {} (type '{}')", index, type);
}

// A string binding property that must be a string when present ("" when absent).
std::string binding_string(const json& raw, std::string_view key, const std::string& where) {
  const json* v = member(raw, key);
  if (v == nullptr) return {};
  if (!v->is_string())
    throw AppError(fmt::format("{}: '{}' must be a string, got {}", where, key, v->type_name()));
  return v->get<std::string>();
}

std::string connection_setting(const json& raw, const std::string& where) {
  std::string setting = binding_string(raw, "connectionStringSetting", where);
  return setting.empty() ? kDefaultConnectionSetting : setting;
}

void check_connection_setting(const FunctionApp& app, const LoadOptions& options,
                              const std::string& setting, const std::string& where) {
  if (options.connection_string_provided || app.connection_string(setting)) return;
  throw AppError(
      fmt::format("{}: the connection setting '{}' is not defined (local.settings.json Values, "
                  "ConnectionStrings, or environment)",
                  where, setting));
}

bool setting_is_true(const std::optional<std::string>& value) {
  return value && (iequals(trim(*value), "true") || trim(*value) == "1");
}

FunctionSpec parse_function(const FunctionApp& app, const std::string& name, const json& doc,
                            const std::string& file, const LoadOptions& options) {
  FunctionSpec fn;
  fn.name = name;
  fn.directory = app.root / name;
  fn.function_json = fn.directory / "function.json";
  if (!doc.is_object()) fail(file, "must be a JSON object");

  if (const json* disabled = member(doc, "disabled")) {
    if (disabled->is_boolean()) {
      fn.disabled = disabled->get<bool>();
    } else if (disabled->is_string()) {
      // A literal true/false, or the name of an app setting holding one.
      const std::string& text = disabled->get_ref<const std::string&>();
      fn.disabled = iequals(trim(text), "true") ||
                    (!iequals(trim(text), "false") && setting_is_true(app.setting(text)));
    } else {
      fail(file, fmt::format("'disabled' must be true or false, got {}", disabled->dump()));
    }
  }
  // The app setting AzureWebJobs.<name>.Disabled also disables a function.
  if (setting_is_true(app.setting(fmt::format("AzureWebJobs.{}.Disabled", name))))
    fn.disabled = true;
  fn.script_file = string_member(doc, "scriptFile", file, "scriptFile").value_or("");
  fn.entry_point = string_member(doc, "entryPoint", file, "entryPoint").value_or("");

  const json* bindings = member(doc, "bindings");
  if (bindings == nullptr) fail(file, "missing 'bindings' array");
  if (!bindings->is_array()) fail(file, "'bindings' must be an array");

  std::optional<std::size_t> trigger_index;
  bool has_signalr_trigger = false;
  for (std::size_t i = 0; i < bindings->size(); ++i) {
    const json& raw = (*bindings)[i];
    if (!raw.is_object()) fail(file, fmt::format("binding {}: must be a JSON object", i));
    const json* type = member(raw, "type");
    std::string type_text = type != nullptr && type->is_string() ? type->get<std::string>() : "";
    const std::string where = fmt::format("{}: {}", file, binding_label(i, type_text));
    if (type_text.empty()) throw AppError(fmt::format("{}: missing 'type'", where));

    Binding b;
    b.type = type_text;
    b.type_lower = to_lower(type_text);
    b.raw = raw;

    const json* direction = member(raw, "direction");
    if (direction == nullptr || !direction->is_string() || direction->get<std::string>().empty())
      throw AppError(fmt::format("{}: missing 'direction'", where));
    const std::string& dir = direction->get_ref<const std::string&>();
    if (iequals(dir, "in")) {
      b.direction = Direction::In;
    } else if (iequals(dir, "out")) {
      b.direction = Direction::Out;
    } else if (iequals(dir, "inout")) {
      b.direction = Direction::InOut;
    } else {
      throw AppError(
          fmt::format("{}: invalid direction '{}' (expected in, out or inout)", where, dir));
    }

    const json* name_value = member(raw, "name");
    if (name_value == nullptr || !name_value->is_string() || name_value->get<std::string>().empty())
      throw AppError(fmt::format("{}: missing 'name'", where));
    b.name = name_value->get<std::string>();

    const BindingRule* rule = nullptr;
    for (const auto& candidate : kBindingRules)
      if (b.type_lower == candidate.type_lower) rule = &candidate;
    if (rule == nullptr)
      throw AppError(fmt::format("{}: unknown binding type '{}'", where, b.type));
    if (b.direction != rule->direction)
      throw AppError(fmt::format("{}: direction must be '{}', got '{}'", where,
                                 direction_name(rule->direction), dir));
    if (b.name == "$return" && b.direction == Direction::In)
      throw AppError(fmt::format("{}: the name '$return' is only valid for an out binding", where));
    for (std::size_t j = 0; j < fn.bindings.size(); ++j) {
      if (iequals(fn.bindings[j].name, b.name))
        throw AppError(
            fmt::format("{}: duplicate binding name '{}' (also binding {})", where, b.name, j));
    }

    if (b.type_lower == "httptrigger") {
      if (trigger_index)
        throw AppError(
            fmt::format("{}: a function can have only one httpTrigger (binding {} is one)", where,
                        *trigger_index));
      trigger_index = i;
      fn.http.binding_name = b.name;
      if (const json* level = member(raw, "authLevel")) {
        std::string text = level->is_string() ? level->get<std::string>() : level->dump();
        if (iequals(text, "anonymous")) {
          fn.http.auth_level = AuthLevel::Anonymous;
        } else if (iequals(text, "function")) {
          fn.http.auth_level = AuthLevel::Function;
        } else if (iequals(text, "admin")) {
          fn.http.auth_level = AuthLevel::Admin;
        } else {
          throw AppError(fmt::format(
              "{}: invalid authLevel '{}' (expected anonymous, function or admin)", where, text));
        }
      }
      if (const json* methods = member(raw, "methods")) {
        if (!methods->is_array())
          throw AppError(fmt::format("{}: 'methods' must be an array of strings", where));
        for (const auto& m : *methods) {
          std::string method = m.is_string() ? to_upper(trim(m.get<std::string>())) : m.dump();
          bool known = std::any_of(std::begin(kHttpMethods), std::end(kHttpMethods),
                                   [&](const char* k) { return method == k; });
          if (!m.is_string() || !known)
            throw AppError(fmt::format(
                "{}: invalid method '{}' (expected GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, "
                "TRACE or CONNECT)",
                where, m.is_string() ? m.get<std::string>() : method));
          if (std::find(fn.http.methods.begin(), fn.http.methods.end(), method) ==
              fn.http.methods.end())
            fn.http.methods.push_back(method);
        }
      }
      std::string route = binding_string(raw, "route", where);
      if (trim(route).empty()) route = name;
      try {
        fn.http.route = RouteTemplate::parse(route).text();
      } catch (const std::invalid_argument& e) {
        throw AppError(fmt::format("{}: invalid route: {}", where, e.what()));
      }
    } else if (b.type_lower == "http") {
      if (fn.http_output)
        throw AppError(fmt::format("{}: a function can have only one http output", where));
      fn.http_output = b.name;
    } else if (b.type_lower == "signalrconnectioninfo" || b.type_lower == "signalrnegotiation") {
      ConnectionInfoSpec spec;
      spec.name = b.name;
      spec.hub_name = binding_string(raw, "hubName", where);
      if (trim(spec.hub_name).empty()) throw AppError(fmt::format("{}: missing 'hubName'", where));
      spec.user_id = binding_string(raw, "userId", where);
      spec.id_token = binding_string(raw, "idToken", where);
      if (const json* claims = member(raw, "claimTypeList")) {
        if (!claims->is_array())
          throw AppError(fmt::format("{}: 'claimTypeList' must be an array of strings", where));
        for (const auto& c : *claims) {
          if (!c.is_string())
            throw AppError(fmt::format("{}: 'claimTypeList' must be an array of strings", where));
          spec.claim_type_list.push_back(c.get<std::string>());
        }
      }
      spec.connection_string_setting = connection_setting(raw, where);
      spec.negotiation = b.type_lower == "signalrnegotiation";
      if (!fn.disabled)
        check_connection_setting(app, options, spec.connection_string_setting, where);
      fn.connection_infos.push_back(std::move(spec));
    } else if (b.type_lower == "signalr") {
      SignalROutputSpec spec;
      spec.name = b.name;
      spec.hub_name = binding_string(raw, "hubName", where);
      if (trim(spec.hub_name).empty()) throw AppError(fmt::format("{}: missing 'hubName'", where));
      spec.connection_string_setting = connection_setting(raw, where);
      if (!fn.disabled)
        check_connection_setting(app, options, spec.connection_string_setting, where);
      fn.signalr_outputs.push_back(std::move(spec));
    } else if (b.type_lower == "signalrtrigger") {
      has_signalr_trigger = true;
    }
    fn.bindings.push_back(std::move(b));
  }
  if (has_signalr_trigger) fail(file, "signalRTrigger functions are not supported yet");
  if (!trigger_index)
    fail(file, "no httpTrigger binding (this host runs HTTP-triggered functions only)");
  return fn;
}

FunctionSpec load_function(const FunctionApp& app, const fs::path& display_root,
                           const std::string& name, const LoadOptions& options) {
  const std::string file = (display_root / name / "function.json").string();
  return parse_function(app, name, read_json_file(app.root / name / "function.json", file), file,
                        options);
}

bool methods_overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  if (a.empty() || b.empty()) return true;
  return std::any_of(a.begin(), a.end(), [&](const std::string& m) {
    return std::find(b.begin(), b.end(), m) != b.end();
  });
}

}  // namespace

std::string Binding::get(std::string_view key) const {
  const json* v = member(raw, key);
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
    app.settings = parse_local_settings(read_json_file(settings_path, display), display);
  }
  app.host = parse_host_json(host_doc, app, host_display);

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
    app.functions.push_back(
        parse_function(app, name, doc, "function '" + name + "' (declared in code)", options));
  }
  std::sort(app.functions.begin(), app.functions.end(),
            [](const FunctionSpec& a, const FunctionSpec& b) { return a.name < b.name; });

  // Two enabled functions on the same route text must not share a method.
  for (std::size_t i = 0; i < app.functions.size(); ++i) {
    const FunctionSpec& a = app.functions[i];
    if (a.disabled) continue;
    for (std::size_t j = i + 1; j < app.functions.size(); ++j) {
      const FunctionSpec& b = app.functions[j];
      if (b.disabled || !iequals(a.http.route, b.http.route)) continue;
      if (!methods_overlap(a.http.methods, b.http.methods)) continue;
      throw AppError(
          fmt::format("{}: functions '{}' and '{}' both handle route '{}' with overlapping methods",
                      root_display, a.name, b.name, a.http.route));
    }
  }
  return app;
}

}  // namespace switchboard::functions
