// Validation of hub, application, group, user and connection names for the REST API and clients.
// Each returns an empty string when valid, else a message naming the problem.
#pragma once

#include <string>
#include <string_view>

namespace switchboard::protocol {

// `^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$`
std::string validate_hub_name(std::string_view hub);
std::string validate_application_name(std::string_view application);
// 1..1024 characters, not whitespace-only.
std::string validate_group_name(std::string_view group);
// 1..1024 characters.
std::string validate_user_id(std::string_view user);
// At least one character.
std::string validate_connection_id(std::string_view connection_id);

// ASCII lower-case copy (hub names are case-insensitive).
std::string to_lower(std::string_view text);

}  // namespace switchboard::protocol
