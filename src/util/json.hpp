// JSON helpers for the Functions formats, whose keys match case-insensitively (Target/target,
// Outputs/outputs, hubName/HubName...).
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace switchboard::util {

// The member of `object` named `key` (ASCII case-insensitive), or nullptr when `object` is not an
// object or has no such member. A JSON null member is returned as it is.
const nlohmann::json* find_member(const nlohmann::json& object, std::string_view key);

// As find_member, but a JSON null member counts as absent.
const nlohmann::json* find_present_member(const nlohmann::json& object, std::string_view key);

}  // namespace switchboard::util
