// Validation of hub, application, group, user and connection names (service reference §4).
#include "protocol/names.hpp"

#include "util/text.hpp"

#include <cctype>

namespace switchboard::protocol {
namespace {

constexpr std::size_t kMaxHubLength = 128;
constexpr std::size_t kMaxNameLength = 1024;

// Characters counted as UTF-8 code points (continuation bytes are not counted).
std::size_t character_count(std::string_view text) {
  std::size_t count = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool is_ascii_letter(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// `^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$`
bool valid_hub_like(std::string_view name) {
  if (name.empty() || name.size() > kMaxHubLength || !is_ascii_letter(name.front())) return false;
  for (char c : name) {
    const bool ok = is_ascii_letter(c) || (c >= '0' && c <= '9') || c == '_' || c == '`' ||
                    c == ',' || c == '.' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

std::string hub_like_error(std::string_view kind, std::string_view name) {
  if (valid_hub_like(name)) return {};
  return "Invalid " + std::string(kind) + " name '" + std::string(name) +
         "': must start with a letter and contain only letters, digits and _`,.[] (1 to 128 "
         "characters)";
}

}  // namespace

std::string validate_hub_name(std::string_view hub) {
  return hub_like_error("hub", hub);
}

std::string validate_application_name(std::string_view application) {
  return hub_like_error("application", application);
}

std::string validate_group_name(std::string_view group) {
  bool whitespace_only = true;
  for (char c : group) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      whitespace_only = false;
      break;
    }
  }
  if (whitespace_only || character_count(group) > kMaxNameLength) {
    return "Invalid group name: must be 1 to 1024 characters and not only whitespace";
  }
  return {};
}

std::string validate_user_id(std::string_view user) {
  if (user.empty() || character_count(user) > kMaxNameLength) {
    return "Invalid user id: must be 1 to 1024 characters";
  }
  return {};
}

std::string validate_connection_id(std::string_view connection_id) {
  if (connection_id.empty()) return "Invalid connection id: must not be empty";
  return {};
}

std::string to_lower(std::string_view text) {
  return util::to_lower(text);
}

}  // namespace switchboard::protocol
