// Small ASCII text helpers shared by the codecs: case-insensitive comparison, lower-casing,
// trimming.
#pragma once

#include <string>
#include <string_view>

namespace switchboard::util {

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view text);
std::string_view trim(std::string_view text);  // ASCII whitespace, both ends

}  // namespace switchboard::util
