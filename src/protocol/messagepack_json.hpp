// Conversion of payloads between MessagePack and JSON: REST arguments (JSON) sent to MessagePack
// clients, and MessagePack payloads given to JSON consumers (upstream, webhooks, JSON clients).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::protocol {

// Converts one JSON value (text) to MessagePack bytes: integers in their smallest form, other
// numbers as float64, strings as str, arrays and objects (map, string keys) recursively. Returns
// nullopt for invalid JSON (parsed with simdjson, like the JSON protocol and the REST bodies).
std::optional<std::string> json_to_messagepack(std::string_view json);

// Converts one MessagePack value to JSON text (bin as base64 strings, timestamps as ISO-8601
// strings, other extensions as null). nullopt for malformed input.
// Details: timestamps print as UTC "1970-01-01T00:00:00Z", with .fff/.ffffff/.fffffffff when
// the nanoseconds are non-zero (years outside 0..9999 as +/-YYYYYY); a type -1 extension that is
// not 4, 8 or 12 bytes, or has nanoseconds above 999999999, is malformed. Floats print in their
// shortest round-trip form with a '.' or exponent ("1.0"); NaN/Infinity become null. Map keys
// must be strings. Invalid UTF-8 in strings becomes U+FFFD. Nesting is limited to 64 levels;
// trailing bytes after the value are malformed.
std::optional<std::string> messagepack_to_json(std::string_view msgpack);

}  // namespace switchboard::protocol
