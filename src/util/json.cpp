// Case-insensitive JSON member lookup: see json.hpp.
#include "util/json.hpp"

#include "util/text.hpp"

namespace switchboard::util {

const nlohmann::json* find_member(const nlohmann::json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  for (auto it = object.begin(); it != object.end(); ++it)
    if (iequals(it.key(), key)) return &*it;
  return nullptr;
}

const nlohmann::json* find_present_member(const nlohmann::json& object, std::string_view key) {
  const auto* member = find_member(object, key);
  return member && !member->is_null() ? member : nullptr;
}

}  // namespace switchboard::util
