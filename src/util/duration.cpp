// The duration rule: see duration.hpp.
#include "util/duration.hpp"

#include <charconv>

namespace switchboard::util {

std::optional<std::int64_t> parse_duration_seconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > kMaxDurationSeconds)
    return std::nullopt;
  return value;
}

std::string duration_rule() {
  return "must be a whole number of seconds from 0 to " + std::to_string(kMaxDurationSeconds);
}

}  // namespace switchboard::util
