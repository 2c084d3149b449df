// Request text checks: see request_text.hpp.
#include "functions/runtime/request_text.hpp"

#include <fmt/format.h>

#include "util/url.hpp"
#include "util/utf8.hpp"

namespace switchboard::functions {

namespace {

// A name from the request as it can be shown in a message: itself when it is valid UTF-8 without
// control characters, else percent-encoded.
std::string printable(std::string_view name) {
  if (util::is_valid_utf8(name) && !util::first_control_byte(name)) return std::string(name);
  return util::percent_encode(name);
}

}  // namespace

std::optional<std::string> request_path_problem(std::string_view raw_path) {
  std::string path = util::percent_decode(raw_path, false);
  if (!util::is_valid_utf8(raw_path) || !util::is_valid_utf8(path))
    return "The request path is not valid UTF-8.";
  if (auto c = util::first_control_byte(path))
    return fmt::format("The request path contains the control character 0x{:02X}.", *c);
  return std::nullopt;
}

std::optional<std::string> request_fields_problem(const net::Request& request,
                                                  const util::Target& target) {
  // Decoding keeps raw bytes, so a raw byte that is not UTF-8 shows in the decoded pair too.
  for (const auto& [name, value] : target.query)
    if (!util::is_valid_utf8(name) || !util::is_valid_utf8(value))
      return fmt::format("The query parameter '{}' is not valid UTF-8.", printable(name));
  // The raw target travels too (the request's Url): decoding can turn bad raw text into good.
  if (!util::is_valid_utf8(request.target())) return "The request target is not valid UTF-8.";
  for (const auto& field : request) {
    if (!util::is_valid_utf8(field.value()))
      return fmt::format("The header '{}' is not valid UTF-8.", printable(field.name_string()));
  }
  return std::nullopt;
}

}  // namespace switchboard::functions
