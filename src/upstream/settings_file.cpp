// Upstream settings files: see settings_file.hpp.
#include "upstream/settings_file.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "util/text.hpp"

namespace switchboard::upstream {

using nlohmann::json;

namespace {

[[noreturn]] void fail(std::string_view source, const std::string& where,
                       const std::string& problem) {
  throw SettingsError("upstream settings " + std::string(source) + ": " + where +
                      (where.empty() ? "" : ": ") + problem);
}

// The member of `object` whose name equals `name` case-insensitively, or nullptr; `spelled`
// gets its name as the file spells it.
const json* member(const json& object, std::string_view name, std::string* spelled = nullptr) {
  for (auto it = object.begin(); it != object.end(); ++it)
    if (util::iequals(it.key(), name)) {
      if (spelled) *spelled = it.key();
      return &it.value();
    }
  return nullptr;
}

std::string type_name(const json& value) {
  return value.type_name();
}

Pattern read_pattern(const json& item, std::string_view field, std::string_view source,
                     const std::string& where) {
  const json* value = member(item, field);
  if (!value || value->is_null()) return Pattern();
  if (!value->is_string())
    fail(source, where + "." + std::string(field),
         "must be a string (a pattern: *, a name or a comma-separated list), not " +
             type_name(*value));
  const auto& text = value->get_ref<const std::string&>();
  std::string_view rest = text;
  bool any_name = false;
  while (true) {
    auto comma = rest.find(',');
    if (!util::trim(rest.substr(0, comma)).empty()) any_name = true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (!any_name && !util::trim(text).empty())
    fail(source, where + "." + std::string(field), "'" + text + "' names nothing");
  return Pattern(text);
}

void check_auth(const json& auth, std::string_view source, const std::string& where) {
  if (auth.is_null()) return;
  if (!auth.is_object()) fail(source, where, "must be an object, not " + type_name(auth));
  const json* type = member(auth, "type");
  if (!type || type->is_null()) return;
  if (!type->is_string()) fail(source, where + ".type", "must be a string");
  const auto& text = type->get_ref<const std::string&>();
  if (util::iequals(text, "None")) return;
  if (util::iequals(text, "ManagedIdentity"))
    fail(source, where + ".type",
         "ManagedIdentity is not supported (Switchboard signs upstream requests with "
         "X-ASRS-Signature; use \"None\")");
  fail(source, where + ".type", "'" + text + "' is not an upstream auth type (None)");
}

Template read_template(const json& item, std::string_view source, const std::string& where) {
  if (!item.is_object()) fail(source, where, "must be an object, not " + type_name(item));
  for (auto it = item.begin(); it != item.end(); ++it) {
    const auto& key = it.key();
    if (!util::iequals(key, "urlTemplate") && !util::iequals(key, "hubPattern") &&
        !util::iequals(key, "categoryPattern") && !util::iequals(key, "eventPattern") &&
        !util::iequals(key, "auth"))
      fail(source, where,
           "unknown field '" + key +
               "' (known: urlTemplate, hubPattern, categoryPattern, eventPattern, auth)");
  }
  Template result;
  const json* url = member(item, "urlTemplate");
  if (!url || url->is_null()) fail(source, where + ".urlTemplate", "is required");
  if (!url->is_string())
    fail(source, where + ".urlTemplate", "must be a string, not " + type_name(*url));
  result.url_template = url->get<std::string>();
  if (auto problem = check_url_template(result.url_template); !problem.empty())
    fail(source, where + ".urlTemplate", "'" + result.url_template + "' " + problem);
  result.hub_pattern = read_pattern(item, "hubPattern", source, where);
  result.category_pattern = read_pattern(item, "categoryPattern", source, where);
  result.event_pattern = read_pattern(item, "eventPattern", source, where);
  if (const json* auth = member(item, "auth")) check_auth(*auth, source, where + ".auth");
  return result;
}

// The templates array of the document, and the path that leads to it (for messages).
std::pair<const json*, std::string> find_templates(const json& document, std::string_view source) {
  if (document.is_array()) return {&document, "templates"};
  if (!document.is_object())
    fail(source, "",
         "must be a JSON array of templates, or an object with \"templates\", not " +
             type_name(document));
  std::string key;
  if (const json* templates = member(document, "templates", &key)) return {templates, key};
  for (std::string_view parent : {"upstream", "UpstreamSettings"}) {
    std::string section_key;
    if (const json* section = member(document, parent, &section_key);
        section && section->is_object())
      if (const json* templates = member(*section, "templates", &key))
        return {templates, section_key + "." + key};
  }
  fail(source, "",
       "has no templates (expected a JSON array, \"templates\", \"upstream\": {\"templates\"} "
       "or \"UpstreamSettings\": {\"Templates\"})");
}

}  // namespace

std::vector<Template> parse_settings(std::string_view text, std::string_view source) {
  json document;
  try {
    document = json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    fail(source, "", std::string("is not valid JSON: ") + e.what());
  }
  auto [templates, path] = find_templates(document, source);
  if (!templates->is_array()) fail(source, path, "must be an array, not " + type_name(*templates));
  if (templates->empty()) fail(source, path, "is empty: give at least one template");
  std::vector<Template> result;
  for (std::size_t i = 0; i < templates->size(); ++i)
    result.push_back(read_template((*templates)[i], source, path + "[" + std::to_string(i) + "]"));
  return result;
}

std::vector<Template> load_settings_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw SettingsError("upstream settings " + path.string() + ": no such file");
  if (!std::filesystem::is_regular_file(path, ec))
    throw SettingsError("upstream settings " + path.string() + ": is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SettingsError("upstream settings " + path.string() + ": cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw SettingsError("upstream settings " + path.string() + ": cannot be read");
  return parse_settings(text.str(), path.string());
}

}  // namespace switchboard::upstream
