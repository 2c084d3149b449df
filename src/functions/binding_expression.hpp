// Binding expressions in binding properties (hubName, userId, idToken): `%AppSetting%` and
// `{headers.NAME}`, `{query.NAME}`, `{NAME}` (a top-level JSON body property, then a query
// parameter, then a route parameter: later wins), `{sys.randguid}`, `{sys.utcnow}`, mixed with
// literal text ("room-{query.id}"). A missing value is an error naming the expression.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::functions {

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using CaseInsensitiveMap = std::map<std::string, std::string, CaseInsensitiveLess>;

struct BindingData {
  CaseInsensitiveMap headers;  // multi-valued headers joined with ","
  CaseInsensitiveMap query;    // multi-valued parameters joined with ","
  CaseInsensitiveMap route_params;
  nlohmann::json body;  // the parsed JSON body, or null
  std::function<std::optional<std::string>(const std::string&)> app_setting;
};

struct ResolvedExpression {
  std::optional<std::string> value;
  std::string error;  // e.g. "The binding expression '{headers.x-ms-client-principal-id}' has no
                      // value: the request has no header 'x-ms-client-principal-id'."
};

ResolvedExpression resolve_binding_expression(std::string_view text, const BindingData& data);

}  // namespace switchboard::functions
