// host.json: see host_json.hpp.
#include "functions/config/host_json.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <system_error>

#include "functions/config/json_file.hpp"
#include "util/duration.hpp"
#include "util/text.hpp"

namespace switchboard::functions::config {

namespace fs = std::filesystem;
using nlohmann::json;
using util::trim;

namespace {

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

}  // namespace

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

}  // namespace switchboard::functions::config
