// The X-ASRS-Signature header of upstream requests: for every access key,
// "sha256=" + upper-case hex of HMAC-SHA256(key = the key's UTF-8 bytes, message = the connection
// id), joined by ",". The receiver (the Functions webhook) accepts a request when any of them
// matches one of its keys.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace switchboard::auth {

std::string upstream_signature(std::string_view connection_id,
                               std::span<const std::string> access_keys);

}  // namespace switchboard::auth
