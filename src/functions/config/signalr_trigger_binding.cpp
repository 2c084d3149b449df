// The signalRTrigger binding: hubName, category, event, parameterNames and the connection setting,
// checked as the Functions extension checks them at start-up. hubName, category and event resolve
// %AppSetting% references only (never {expressions}: nothing is known before the event).
#include <fmt/format.h>

#include "functions/config/binding_parsers.hpp"
#include "functions/config/json_file.hpp"
#include "util/text.hpp"

namespace switchboard::functions::config {

namespace {

// `field` with every %NAME% replaced by the app setting; an undefined one is an error.
std::string resolve_settings(const BindingInput& input, std::string_view field) {
  std::string text = binding_string(input.binding.raw, field, input.where);
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    auto open = text.find('%', i);
    if (open == std::string::npos) break;
    auto close = text.find('%', open + 1);
    if (close == std::string::npos) break;
    out.append(text, i, open - i);
    std::string name = text.substr(open + 1, close - open - 1);
    if (name.empty()) {
      out.push_back('%');  // "%%" is a literal '%'
    } else if (auto value = input.app.setting(name)) {
      out += *value;
    } else {
      throw AppError(fmt::format("{}: '{}' names the app setting '%{}%', which is not defined",
                                 input.where, field, name));
    }
    i = close + 1;
  }
  out.append(text, i, std::string::npos);
  out = std::string(util::trim(out));
  if (out.find('{') != std::string::npos)
    throw AppError(
        fmt::format("{}: '{}' cannot hold a binding expression ('{}'): a trigger only "
                    "resolves %AppSetting% references",
                    input.where, field, text));
  return out;
}

std::vector<std::string> parse_parameter_names(const BindingInput& input) {
  std::vector<std::string> names;
  const nlohmann::json* value = member(input.binding.raw, "parameterNames");
  if (value == nullptr) return names;
  if (!value->is_array())
    throw AppError(fmt::format("{}: 'parameterNames' must be an array of strings", input.where));
  for (const auto& item : *value) {
    if (!item.is_string() || util::trim(item.get<std::string>()).empty())
      throw AppError(
          fmt::format("{}: 'parameterNames' must be an array of non-empty strings, found {}",
                      input.where, item.dump()));
    std::string name(util::trim(item.get<std::string>()));
    for (const auto& earlier : names)
      if (util::iequals(earlier, name))
        throw AppError(
            fmt::format("{}: 'parameterNames' has '{}' twice (names are compared ignoring case)",
                        input.where, name));
    names.push_back(std::move(name));
  }
  return names;
}

}  // namespace

void parse_signalr_trigger(const BindingInput& input, FunctionSpec& fn) {
  const auto& where = input.where;
  SignalRTriggerSpec spec;
  spec.name = input.binding.name;
  spec.hub_name = resolve_settings(input, "hubName");
  if (spec.hub_name.empty()) throw AppError(fmt::format("{}: missing 'hubName'", where));
  std::string category = resolve_settings(input, "category");
  if (category.empty())
    throw AppError(fmt::format("{}: missing 'category' (expected connections or messages)", where));
  spec.category = util::to_lower(category);
  if (spec.category != "connections" && spec.category != "messages")
    throw AppError(fmt::format("{}: invalid category '{}' (expected connections or messages)",
                               where, category));
  spec.event = resolve_settings(input, "event");
  if (spec.event.empty()) throw AppError(fmt::format("{}: missing 'event'", where));
  if (spec.category == "connections") {
    std::string event = util::to_lower(spec.event);
    if (event != "connect" && event != "connected" && event != "disconnected")
      throw AppError(fmt::format(
          "{}: invalid event '{}' for category 'connections' (expected connect, connected or "
          "disconnected)",
          where, spec.event));
    spec.event = event;
  }
  spec.parameter_names = parse_parameter_names(input);
  spec.connection_string_setting = connection_setting(input.binding.raw, where);
  if (!fn.disabled)
    check_connection_setting(input.app, input.options, spec.connection_string_setting, where);
  fn.signalr_trigger = std::move(spec);
}

}  // namespace switchboard::functions::config
