// <function>/function.json: see function_json.hpp.
#include "functions/config/function_json.hpp"

#include <fmt/format.h>

#include "functions/config/binding_parsers.hpp"
#include "functions/config/json_file.hpp"
#include "util/text.hpp"

namespace switchboard::functions::config {

using nlohmann::json;
using util::iequals;
using util::trim;

namespace {

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

// The label of a binding in messages: "binding 2 (type 'signalRConnectionInfo')".
std::string binding_label(std::size_t index, std::string_view type) {
  if (type.empty()) return fmt::format("binding {}", index);
  return fmt::format("binding {} (type '{}')", index, type);
}

bool setting_is_true(const std::optional<std::string>& value) {
  return value && (iequals(trim(*value), "true") || trim(*value) == "1");
}

bool parse_disabled(const FunctionApp& app, const std::string& name, const json& doc,
                    const std::string& file) {
  bool disabled = false;
  if (const json* value = member(doc, "disabled")) {
    if (value->is_boolean()) {
      disabled = value->get<bool>();
    } else if (value->is_string()) {
      // A literal true/false, or the name of an app setting holding one.
      const std::string& text = value->get_ref<const std::string&>();
      disabled = iequals(trim(text), "true") ||
                 (!iequals(trim(text), "false") && setting_is_true(app.setting(text)));
    } else {
      fail(file, fmt::format("'disabled' must be true or false, got {}", value->dump()));
    }
  }
  // The app setting AzureWebJobs.<name>.Disabled also disables a function.
  if (setting_is_true(app.setting(fmt::format("AzureWebJobs.{}.Disabled", name)))) disabled = true;
  return disabled;
}

Direction parse_direction(const json& raw, const std::string& where) {
  const json* direction = member(raw, "direction");
  if (direction == nullptr || !direction->is_string() || direction->get<std::string>().empty())
    throw AppError(fmt::format("{}: missing 'direction'", where));
  const std::string& dir = direction->get_ref<const std::string&>();
  if (iequals(dir, "in")) return Direction::In;
  if (iequals(dir, "out")) return Direction::Out;
  if (iequals(dir, "inout")) return Direction::InOut;
  throw AppError(fmt::format("{}: invalid direction '{}' (expected in, out or inout)", where, dir));
}

}  // namespace

FunctionSpec parse_function(const FunctionApp& app, const std::string& name, const json& doc,
                            const std::string& file, const LoadOptions& options) {
  FunctionSpec fn;
  fn.name = name;
  fn.directory = app.root / name;
  fn.function_json = fn.directory / "function.json";
  if (!doc.is_object()) fail(file, "must be a JSON object");
  fn.disabled = parse_disabled(app, name, doc, file);
  fn.script_file = string_member(doc, "scriptFile", file, "scriptFile").value_or("");
  fn.entry_point = string_member(doc, "entryPoint", file, "entryPoint").value_or("");

  const json* bindings = member(doc, "bindings");
  if (bindings == nullptr) fail(file, "missing 'bindings' array");
  if (!bindings->is_array()) fail(file, "'bindings' must be an array");

  std::optional<std::size_t> trigger_index;
  for (std::size_t i = 0; i < bindings->size(); ++i) {
    const json& raw = (*bindings)[i];
    if (!raw.is_object()) fail(file, fmt::format("binding {}: must be a JSON object", i));
    const json* type = member(raw, "type");
    std::string type_text = type != nullptr && type->is_string() ? type->get<std::string>() : "";
    const std::string where = fmt::format("{}: {}", file, binding_label(i, type_text));
    if (type_text.empty()) throw AppError(fmt::format("{}: missing 'type'", where));

    Binding b;
    b.type = type_text;
    b.type_lower = util::to_lower(type_text);
    b.raw = raw;
    b.direction = parse_direction(raw, where);
    const json* name_value = member(raw, "name");
    if (name_value == nullptr || !name_value->is_string() || name_value->get<std::string>().empty())
      throw AppError(fmt::format("{}: missing 'name'", where));
    b.name = name_value->get<std::string>();

    const BindingRule* rule = find_binding_rule(b.type_lower);
    if (rule == nullptr)
      throw AppError(fmt::format("{}: unknown binding type '{}'", where, b.type));
    if (b.direction != rule->direction)
      throw AppError(fmt::format("{}: direction must be '{}', got '{}'", where,
                                 direction_name(rule->direction),
                                 member(raw, "direction")->get<std::string>()));
    if (b.name == "$return" && b.direction == Direction::In)
      throw AppError(fmt::format("{}: the name '$return' is only valid for an out binding", where));
    for (std::size_t j = 0; j < fn.bindings.size(); ++j) {
      if (iequals(fn.bindings[j].name, b.name))
        throw AppError(
            fmt::format("{}: duplicate binding name '{}' (also binding {})", where, b.name, j));
    }
    if (b.type_lower == "httptrigger" || b.type_lower == "signalrtrigger") {
      if (trigger_index)
        throw AppError(fmt::format("{}: a function can have only one trigger (binding {} is one)",
                                   where, *trigger_index));
      trigger_index = i;
    }
    rule->parse(BindingInput{app, options, b, i, where}, fn);
    fn.bindings.push_back(std::move(b));
  }
  if (!trigger_index) fail(file, "no trigger binding (httpTrigger or signalRTrigger)");
  if (fn.signalr_trigger && fn.http_output)
    fail(file, fmt::format("the http output binding '{}' needs an httpTrigger (a signalRTrigger "
                           "function's return value is the invocation's result)",
                           *fn.http_output));
  return fn;
}

}  // namespace switchboard::functions::config
