// UTF-8 validity (simdjson's validator) and control-character checks.
#include "util/utf8.hpp"

#include <simdjson.h>

namespace switchboard::util {

bool is_valid_utf8(std::string_view bytes) {
  return simdjson::validate_utf8(bytes.data(), bytes.size());
}

std::optional<unsigned char> first_control_byte(std::string_view bytes) {
  for (unsigned char c : bytes)
    if (c < 0x20 || c == 0x7f) return c;
  return std::nullopt;
}

}  // namespace switchboard::util
