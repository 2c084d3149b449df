// The X-ASRS-Signature header of upstream requests, both sides: the service signs (for every
// access key, "sha256=" + upper-case hex of HMAC-SHA256(key = the key's UTF-8 bytes, message = the
// connection id), joined by ","), and the Functions webhook checks (accepts a request when any
// entry matches one of its keys). Pure.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::auth {

std::string upstream_signature(std::string_view connection_id,
                               std::span<const std::string> access_keys);

// Whether one entry of the comma-separated `header` (entries trimmed, compared
// case-insensitively) is the signature of `connection_id` with one of `access_keys`. No keys: the
// check is skipped (an identity-based connection string), true.
bool upstream_signature_matches(std::string_view header, std::string_view connection_id,
                                std::span<const std::string> access_keys);

}  // namespace switchboard::auth
