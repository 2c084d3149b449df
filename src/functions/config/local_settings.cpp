// local.settings.json: see local_settings.hpp.
#include "functions/config/local_settings.hpp"

#include <fmt/format.h>

#include <charconv>
#include <system_error>

#include "functions/config/json_file.hpp"
#include "util/text.hpp"

namespace switchboard::functions::config {

using nlohmann::json;
using util::trim;

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

}  // namespace switchboard::functions::config
