// Reading upstream settings from a JSON file (`--upstream-settings FILE`): a JSON array of
// templates with Azure's field names (urlTemplate, hubPattern, categoryPattern, eventPattern,
// auth), or the same array under "templates", under "upstream": {"templates": ...} (an ARM
// resource's properties) or under "UpstreamSettings": {"Templates": ...} (the emulator's
// settings.json). Field names compare case-insensitively. Errors name the file, the template's
// index and the field.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "upstream/settings.hpp"

namespace switchboard::upstream {

class SettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses `text`; `source` names it in errors (the file's path).
std::vector<Template> parse_settings(std::string_view text, std::string_view source);
// Reads and parses a file. Throws SettingsError (unreadable file included).
std::vector<Template> load_settings_file(const std::filesystem::path& path);

}  // namespace switchboard::upstream
