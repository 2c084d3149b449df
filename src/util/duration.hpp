// One rule for every duration Switchboard reads (REST `ttl`, command-line timeouts and lifetimes,
// host.json's functionTimeout): whole seconds from 0 to kMaxDurationSeconds, the range of Azure
// SignalR Service's int32 `ttl`. Anything larger is refused with an error, never wrapped: added
// to a clock's current time it would overflow (the nanosecond clocks end in 2262). Also how a
// duration is written back to a user: format_seconds.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::util {

inline constexpr std::int64_t kMaxDurationSeconds = 2147483647;  // about 68 years

// Digits only (no sign, no spaces, no fraction), 0..kMaxDurationSeconds; nullopt otherwise.
std::optional<std::int64_t> parse_duration_seconds(std::string_view text);

// "must be a whole number of seconds from 0 to 2147483647", for error messages.
std::string duration_rule();

// A duration as a user gave it in (fractional) seconds: "30 s", "0.2 s", "1.25 s" -- exact to the
// millisecond, never rounded to whole seconds, no exponent.
std::string format_seconds(std::chrono::milliseconds duration);

}  // namespace switchboard::util
