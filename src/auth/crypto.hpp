// Small crypto helpers over OpenSSL: HMAC-SHA256, SHA-1, SHA-256, base64 / base64url, random
// URL-safe ids.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::auth {

std::string hmac_sha256(std::string_view key, std::string_view message);  // raw 32 bytes
std::string sha1(std::string_view message);                               // raw 20 bytes
std::string sha256(std::string_view message);                             // raw 32 bytes
std::string base64url_encode(std::string_view bytes);                     // no padding
std::optional<std::string> base64url_decode(std::string_view text);       // canonical, unpadded
std::string base64_encode(std::string_view bytes);                        // standard, padded
std::optional<std::string> base64_decode(std::string_view text);
std::string hex_upper(std::string_view bytes);
std::string hex_lower(std::string_view bytes);
// `bytes` cryptographically random bytes.
std::string random_bytes(std::size_t bytes);
// `bytes` cryptographically random bytes, base64url encoded (16 bytes -> 22 chars).
std::string random_id(std::size_t bytes = 16);
// A random (version 4) UUID, lower-case: "3f2b…-…".
std::string random_uuid();

}  // namespace switchboard::auth
