// Percent-encoding (RFC 3986 §2.1): a lenient decoder for request targets, a strict one for
// places where a malformed escape is an error, and an encoder that keeps only unreserved bytes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::util {

// Decodes %XX escapes (and '+' as a space when `plus_as_space`); a '%' that does not start a
// valid escape is kept as written.
std::string percent_decode(std::string_view text, bool plus_as_space);
// Decodes %XX escapes; nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode_strict(std::string_view text);
// Whether every '%' of `text` starts a valid %XX escape.
bool percent_escapes_valid(std::string_view text);
// Encodes every byte but RFC 3986's unreserved ones (ALPHA DIGIT - . _ ~) as %XX (upper case).
std::string percent_encode(std::string_view text);

}  // namespace switchboard::util
