// Reading the app's JSON files (host.json, local.settings.json, function.json) and the typed
// member lookups every parser shares: members by case-insensitive name, errors that name the file
// and the field (AppError "FILE: message").
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::functions::config {

// A member by case-insensitive key; JSON null counts as absent.
const nlohmann::json* member(const nlohmann::json& object, std::string_view key);

// Throws AppError("FILE: message").
[[noreturn]] void fail(const std::string& file, std::string_view message);

// Reads and parses a JSON file (comments allowed, a UTF-8 byte order mark skipped); `display` is
// the file's name in error messages.
nlohmann::json read_json_file(const std::filesystem::path& path, const std::string& display);

// A string member: nullopt when absent or null, an error naming `field` for any other type.
std::optional<std::string> string_member(const nlohmann::json& object, std::string_view key,
                                         const std::string& file, std::string_view field);

// A boolean member (true/false, or the strings "true"/"false"): nullopt when absent or null.
std::optional<bool> bool_member(const nlohmann::json& object, std::string_view key,
                                const std::string& file, std::string_view field);

}  // namespace switchboard::functions::config
