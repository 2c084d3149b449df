// Reading the app's JSON files and typed member lookups: see json_file.hpp.
#include "functions/config/json_file.hpp"

#include <fmt/format.h>

#include <fstream>
#include <sstream>

#include "functions/app_config.hpp"
#include "util/json.hpp"
#include "util/text.hpp"

namespace switchboard::functions::config {

using nlohmann::json;

const json* member(const json& object, std::string_view key) {
  return util::find_present_member(object, key);
}

void fail(const std::string& file, std::string_view message) {
  throw AppError(fmt::format("{}: {}", file, message));
}

json read_json_file(const std::filesystem::path& path, const std::string& display) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(display, "cannot be read");
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  // A UTF-8 byte order mark is common in files written by Windows editors.
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  try {
    return json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number like 1e999
    fail(display, fmt::format("invalid JSON: {}", e.what()));
  }
}

std::optional<std::string> string_member(const json& object, std::string_view key,
                                         const std::string& file, std::string_view field) {
  const json* v = member(object, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string())
    fail(file, fmt::format("'{}' must be a string, got {}", field, v->type_name()));
  return v->get<std::string>();
}

std::optional<bool> bool_member(const json& object, std::string_view key, const std::string& file,
                                std::string_view field) {
  const json* v = member(object, key);
  if (v == nullptr) return std::nullopt;
  if (v->is_boolean()) return v->get<bool>();
  if (v->is_string()) {
    if (util::iequals(util::trim(v->get<std::string>()), "true")) return true;
    if (util::iequals(util::trim(v->get<std::string>()), "false")) return false;
  }
  fail(file, fmt::format("'{}' must be true or false, got {}", field, v->dump()));
}

}  // namespace switchboard::functions::config
