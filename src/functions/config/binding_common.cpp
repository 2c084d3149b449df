// What the binding parsers share: the table of binding types and the connection setting checks.
#include <fmt/format.h>

#include "functions/config/binding_parsers.hpp"
#include "functions/config/json_file.hpp"

namespace switchboard::functions::config {

namespace {

constexpr const char* kDefaultConnectionSetting = "AzureSignalRConnectionString";

constexpr BindingRule kBindingRules[] = {
    {"httptrigger", Direction::In, parse_http_trigger},
    {"http", Direction::Out, parse_http_output},
    {"signalrconnectioninfo", Direction::In, parse_connection_info},
    {"signalrnegotiation", Direction::In, parse_connection_info},
    {"signalr", Direction::Out, parse_signalr_output},
    {"signalrtrigger", Direction::In, parse_signalr_trigger},
};

}  // namespace

const BindingRule* find_binding_rule(std::string_view type_lower) {
  for (const auto& rule : kBindingRules)
    if (type_lower == rule.type_lower) return &rule;
  return nullptr;
}

std::string binding_string(const nlohmann::json& raw, std::string_view key,
                           const std::string& where) {
  const nlohmann::json* v = member(raw, key);
  if (v == nullptr) return {};
  if (!v->is_string())
    throw AppError(fmt::format("{}: '{}' must be a string, got {}", where, key, v->type_name()));
  return v->get<std::string>();
}

std::string connection_setting(const nlohmann::json& raw, const std::string& where) {
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

}  // namespace switchboard::functions::config
