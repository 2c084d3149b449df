// The InvocationContext of a signalRTrigger invocation: see invocation_context.hpp.
#include "functions/trigger/invocation_context.hpp"

#include "util/text.hpp"
#include "util/url.hpp"
#include "util/utf8.hpp"

namespace switchboard::functions::trigger {

using nlohmann::json;

namespace {

// Header and query text as a JSON string: JSON strings are UTF-8, and the function's payload is
// written with a serializer that refuses anything else (found by the webhook_body fuzz target: a
// client's `?a=%FF` made the invocation fail), so invalid bytes become U+FFFD.
std::string text(std::string_view bytes) {
  return util::replace_invalid_utf8(bytes);
}

// Adds `value` under `name` in `object`, joining with "," when the name (any case) is there.
void add_joined(json& object, const std::string& raw_name, const std::string& raw_value) {
  const std::string name = text(raw_name);
  const std::string value = text(raw_value);
  for (auto it = object.begin(); it != object.end(); ++it) {
    if (util::iequals(it.key(), name)) {
      it.value() = it.value().get<std::string>() + "," + value;
      return;
    }
  }
  object[name] = value;
}

}  // namespace

std::optional<std::string> header_value(const HeaderFields& headers, std::string_view name) {
  std::optional<std::string> value;
  for (const auto& [key, v] : headers) {
    if (!util::iequals(key, name)) continue;
    value = value ? *value + "," + v : v;
  }
  return value;
}

json headers_object(const HeaderFields& headers) {
  json object = json::object();
  for (const auto& [name, value] : headers) add_joined(object, name, value);
  return object;
}

json parse_client_query(std::string_view query) {
  json object = json::object();
  if (query.empty()) return object;
  std::string target = query.front() == '?' ? std::string(query) : "?" + std::string(query);
  for (const auto& [name, value] : util::parse_target(target).query)
    if (!name.empty()) add_joined(object, name, value);
  return object;
}

json parse_user_claims(std::string_view header) {
  json object = json::object();
  while (!header.empty()) {
    auto comma = header.find(',');
    std::string_view entry = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    auto colon = entry.find(": ");
    if (colon == std::string_view::npos) continue;
    std::string name = text(util::trim(entry.substr(0, colon)));
    std::string value = text(util::trim(entry.substr(colon + 2)));
    if (name.empty() || object.contains(name)) continue;
    object[name] = value;
  }
  return object;
}

json build_invocation_context(const InvocationEvent& event, const HeaderFields& headers) {
  json context = json::object();
  context["Arguments"] = event.arguments.is_array() ? event.arguments : json();
  context["Error"] = event.error ? json(text(*event.error)) : json();
  context["Category"] = event.category;
  context["Event"] = event.event;
  context["Hub"] = event.hub;
  context["ConnectionId"] = event.connection_id;
  context["UserId"] = event.user_id.empty() ? json() : json(text(event.user_id));
  context["Headers"] = headers_object(headers);
  context["Query"] = parse_client_query(header_value(headers, "X-ASRS-Client-Query").value_or(""));
  context["Claims"] = parse_user_claims(header_value(headers, "X-ASRS-User-Claims").value_or(""));
  return context;
}

}  // namespace switchboard::functions::trigger
