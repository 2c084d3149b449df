// Checks on text that comes from the wire before it goes into JSON: UTF-8 validity and control
// characters.
#pragma once

#include <optional>
#include <string_view>

namespace switchboard::util {

bool is_valid_utf8(std::string_view bytes);
// The first control character (0x00-0x1F or 0x7F) in `bytes`, if any.
std::optional<unsigned char> first_control_byte(std::string_view bytes);

}  // namespace switchboard::util
