// Minimal absolute-URI splitting (scheme, host, port, path, query) used by connection strings
// and audience checks. Not a general RFC 3986 parser: no normalisation beyond lower-casing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::auth {

struct Uri {
  std::string scheme;       // lower-cased
  std::string host;         // lower-cased; IPv6 literals keep their brackets
  std::optional<int> port;  // explicit port, when given
  std::string path;         // as given ("" when absent)
  std::string query;        // without '?'; fragment dropped
};

// Parses `scheme://[userinfo@]host[:port][/path][?query][#fragment]`. Returns nullopt on an
// empty host, a bad port (not 0..65535), whitespace or control characters.
std::optional<Uri> parse_uri(std::string_view text);

// Decodes %XX escapes and '+' (as space); invalid escapes are kept literally.
std::string url_decode(std::string_view text);

}  // namespace switchboard::auth
