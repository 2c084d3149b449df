// The wall-clock readings the functions host puts in tokens and invocation metadata.
#pragma once

#include <cstdint>
#include <string>

namespace switchboard::functions {

// Seconds since the Unix epoch.
std::int64_t now_seconds();
// The current UTC time as ISO 8601 with seconds ("2026-12-06T03:04:05Z": sys.UtcNow).
std::string utc_now_iso();

}  // namespace switchboard::functions
