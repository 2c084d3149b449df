// The X-ASRS-Signature check of the SignalR webhook: the service signs the connection id with each
// of its access keys, "sha256=" + upper-case hex of HMAC-SHA256(key, connection id), several
// joined by ','. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace switchboard::functions::trigger {

// "sha256=<HEX>" for one access key.
std::string connection_signature(std::string_view access_key, std::string_view connection_id);

// Whether one entry of the comma-separated `header` (entries trimmed, compared
// case-insensitively) is the signature of `connection_id` with one of `access_keys`. No keys: the
// check is skipped (an identity-based connection string), true.
bool signature_matches(std::string_view header, std::string_view connection_id,
                       const std::vector<std::string>& access_keys);

}  // namespace switchboard::functions::trigger
