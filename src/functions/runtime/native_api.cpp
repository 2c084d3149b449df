// The public C++ function API (include/switchboard/functions.hpp): contexts and declarations.
#include <switchboard/functions.hpp>

#include "functions/http_body.hpp"
#include "util/json.hpp"

namespace switchboard {

namespace {
const nlohmann::json& null_json() {
  static const nlohmann::json null;
  return null;
}

// A request field as text: strings as they are, arrays (header values) joined with ",".
std::string lookup(const nlohmann::json& object, std::string_view name) {
  const auto* value = util::find_member(object, name);
  if (!value) return {};
  if (value->is_string()) return value->get<std::string>();
  if (value->is_array() && !value->empty()) {
    std::string joined;
    for (const auto& v : *value) {
      if (!joined.empty()) joined += ",";
      joined += v.is_string() ? v.get<std::string>() : v.dump();
    }
    return joined;
  }
  return value->dump();
}
}  // namespace

// A string member (any case) as text; "" when absent or null.
static std::string text_of(const nlohmann::json& object, std::string_view name) {
  const auto* value = util::find_member(object, name);
  if (!value || value->is_null()) return {};
  return value->is_string() ? value->get<std::string>() : value->dump();
}

static std::map<std::string, std::string> text_map(const nlohmann::json& object,
                                                   std::string_view name) {
  std::map<std::string, std::string> out;
  const auto* value = util::find_member(object, name);
  if (!value || !value->is_object()) return out;
  for (const auto& [key, v] : value->items())
    out[key] = v.is_string() ? v.get<std::string>() : v.dump();
  return out;
}

InvocationContext InvocationContext::from_json(const nlohmann::json& value) {
  InvocationContext context;
  if (!value.is_object()) return context;
  if (const auto* arguments = util::find_member(value, "Arguments");
      arguments && arguments->is_array())
    context.arguments = *arguments;
  context.error = text_of(value, "Error");
  context.category = text_of(value, "Category");
  context.event = text_of(value, "Event");
  context.hub = text_of(value, "Hub");
  context.connection_id = text_of(value, "ConnectionId");
  context.user_id = text_of(value, "UserId");
  context.headers = text_map(value, "Headers");
  context.query = text_map(value, "Query");
  context.claims = text_map(value, "Claims");
  return context;
}

FunctionContext::FunctionContext(const nlohmann::json& data, std::string trigger_name,
                                 const nlohmann::json* metadata)
    : data_(data), trigger_name_(std::move(trigger_name)), metadata_(metadata) {}

std::string FunctionContext::method() const {
  return lookup(input(trigger_name_), "Method");
}
std::string FunctionContext::url() const {
  return lookup(input(trigger_name_), "Url");
}
std::string FunctionContext::header(std::string_view name) const {
  const auto& req = input(trigger_name_);
  return req.is_object() && req.contains("Headers") ? lookup(req["Headers"], name) : std::string{};
}
std::string FunctionContext::query(std::string_view name) const {
  const auto& req = input(trigger_name_);
  return req.is_object() && req.contains("Query") ? lookup(req["Query"], name) : std::string{};
}
std::string FunctionContext::param(std::string_view name) const {
  const auto& req = input(trigger_name_);
  return req.is_object() && req.contains("Params") ? lookup(req["Params"], name) : std::string{};
}
std::string FunctionContext::body() const {
  const auto& req = input(trigger_name_);
  if (functions::body_is_base64(req)) return functions::body_bytes(req).value_or(std::string{});
  return lookup(req, "Body");
}
nlohmann::json FunctionContext::body_json() const {
  auto parsed = nlohmann::json::parse(body(), nullptr, false);
  return parsed.is_discarded() ? nlohmann::json() : parsed;
}

const nlohmann::json& FunctionContext::input(std::string_view binding_name) const {
  const auto* value = util::find_member(data_, binding_name);
  return value ? *value : null_json();
}

InvocationContext FunctionContext::invocation() const {
  return InvocationContext::from_json(input(trigger_name_));
}

const nlohmann::json& FunctionContext::binding_data(std::string_view name) const {
  if (!metadata_) return null_json();
  const auto* value = util::find_member(*metadata_, name);
  return value ? *value : null_json();
}

void FunctionContext::set_output(std::string_view binding_name, nlohmann::json value) {
  outputs_[std::string(binding_name)] = std::move(value);
}
void FunctionContext::set_return(nlohmann::json value) {
  return_value_ = std::move(value);
}
void FunctionContext::log(std::string line) {
  logs_.push_back(std::move(line));
}

FunctionDeclaration::FunctionDeclaration(std::string name)
    : name_(std::move(name)), function_json_({{"bindings", nlohmann::json::array()}}) {}

FunctionDeclaration& FunctionDeclaration::http_trigger(std::vector<std::string> methods,
                                                       std::string auth_level, std::string route,
                                                       std::string name) {
  nlohmann::json b = {{"type", "httpTrigger"},
                      {"direction", "in"},
                      {"name", std::move(name)},
                      {"authLevel", std::move(auth_level)}};
  if (!methods.empty()) b["methods"] = std::move(methods);
  if (!route.empty()) b["route"] = std::move(route);
  return binding(std::move(b));
}

FunctionDeclaration& FunctionDeclaration::http_output(std::string name) {
  return binding({{"type", "http"}, {"direction", "out"}, {"name", std::move(name)}});
}

FunctionDeclaration& FunctionDeclaration::connection_info(std::string name, std::string hub_name,
                                                          std::string user_id,
                                                          std::string setting) {
  nlohmann::json b = {{"type", "signalRConnectionInfo"},
                      {"direction", "in"},
                      {"name", std::move(name)},
                      {"hubName", std::move(hub_name)}};
  if (!user_id.empty()) b["userId"] = std::move(user_id);
  if (!setting.empty()) b["connectionStringSetting"] = std::move(setting);
  return binding(std::move(b));
}

FunctionDeclaration& FunctionDeclaration::signalr_output(std::string name, std::string hub_name,
                                                         std::string setting) {
  nlohmann::json b = {{"type", "signalR"},
                      {"direction", "out"},
                      {"name", std::move(name)},
                      {"hubName", std::move(hub_name)}};
  if (!setting.empty()) b["connectionStringSetting"] = std::move(setting);
  return binding(std::move(b));
}

FunctionDeclaration& FunctionDeclaration::signalr_trigger(std::string name, std::string hub_name,
                                                          std::string category, std::string event,
                                                          std::vector<std::string> parameter_names,
                                                          std::string setting) {
  nlohmann::json b = {{"type", "signalRTrigger"},        {"direction", "in"},
                      {"name", std::move(name)},         {"hubName", std::move(hub_name)},
                      {"category", std::move(category)}, {"event", std::move(event)}};
  if (!parameter_names.empty()) b["parameterNames"] = std::move(parameter_names);
  if (!setting.empty()) b["connectionStringSetting"] = std::move(setting);
  return binding(std::move(b));
}

FunctionDeclaration& FunctionDeclaration::binding(nlohmann::json binding) {
  function_json_["bindings"].push_back(std::move(binding));
  return *this;
}

FunctionDeclaration& FunctionDeclaration::handler(FunctionHandler handler) {
  handler_ = std::move(handler);
  return *this;
}

FunctionDeclaration& FunctionDeclaration::trigger_handler(TriggerHandler handler) {
  handler_ = [handler = std::move(handler)](FunctionContext& context) {
    context.set_return(handler(context.invocation(), context));
  };
  return *this;
}

FunctionDeclaration& FunctionRegistry::function(std::string name) {
  auto it = functions_.find(name);
  if (it == functions_.end()) it = functions_.emplace(name, FunctionDeclaration(name)).first;
  return it->second;
}

}  // namespace switchboard
