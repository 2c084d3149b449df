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

std::string format_seconds(std::chrono::milliseconds duration) {
  auto count = duration.count();
  std::string text = count < 0 ? "-" : "";
  // Via unsigned, so that the most negative count has a magnitude too.
  auto magnitude = count < 0 ? 0 - static_cast<unsigned long long>(count)
                             : static_cast<unsigned long long>(count);
  text += std::to_string(magnitude / 1000);
  if (auto millis = magnitude % 1000; millis != 0) {
    std::string fraction = std::to_string(1000 + millis).substr(1);  // three digits
    fraction.erase(fraction.find_last_not_of('0') + 1);
    text += "." + fraction;
  }
  return text + " s";
}

}  // namespace switchboard::util
