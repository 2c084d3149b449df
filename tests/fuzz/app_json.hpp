// The JSON reading of the function app's files (functions/config/json_file's read_json_file: a
// UTF-8 byte order mark skipped, comments allowed), for the targets that feed those files' text.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace fuzz {

inline nlohmann::json parse_app_json(std::string_view text) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  return nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false,
                               /*ignore_comments=*/true);
}

}  // namespace fuzz
