// One small parser per binding type of function.json. function_json.cpp checks what every binding
// has (type, direction, name, no duplicate names) and hands the binding to the parser of its type,
// which fills its part of the FunctionSpec. Errors name the file, the binding and the field.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "functions/app_config.hpp"

namespace switchboard::functions::config {

// What a binding parser is given.
struct BindingInput {
  const FunctionApp& app;
  const LoadOptions& options;
  const Binding& binding;  // type, name and direction already checked
  std::size_t index;       // position in "bindings"
  std::string where;       // "FILE: binding 2 (type 'signalR')", the prefix of error messages
};

using BindingParser = void (*)(const BindingInput& input, FunctionSpec& function);

struct BindingRule {
  const char* type_lower;
  Direction direction;
  BindingParser parse;
};

// The binding types this host knows, with their direction; nullptr when unknown.
const BindingRule* find_binding_rule(std::string_view type_lower);

void parse_http_trigger(const BindingInput& input, FunctionSpec& function);
void parse_http_output(const BindingInput& input, FunctionSpec& function);
// signalRConnectionInfo and signalRNegotiation.
void parse_connection_info(const BindingInput& input, FunctionSpec& function);
void parse_signalr_output(const BindingInput& input, FunctionSpec& function);
void parse_signalr_trigger(const BindingInput& input, FunctionSpec& function);

// --- shared by the parsers ---

// A string property that must be a string when present ("" when absent).
std::string binding_string(const nlohmann::json& raw, std::string_view key,
                           const std::string& where);
// connectionStringSetting, default AzureSignalRConnectionString.
std::string connection_setting(const nlohmann::json& raw, const std::string& where);
// Throws unless the setting is defined (or the embedded service provides one).
void check_connection_setting(const FunctionApp& app, const LoadOptions& options,
                              const std::string& setting, const std::string& where);

}  // namespace switchboard::functions::config
