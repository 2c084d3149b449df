// Raw member text of a validated JSON object: see json_member_text.hpp.
#include "protocol/json_member_text.hpp"

#include <cstring>

#include "util/text.hpp"

namespace switchboard::protocol {

namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

void skip_space(std::string_view json, std::size_t& at) {
  while (at < json.size() && is_space(json[at])) ++at;
}

// From an opening quote to just past its closing quote; `escaped` tells whether it held a '\'.
// (memchr for the quote: a string's bytes are most of a body.)
std::size_t skip_string(std::string_view json, std::size_t at, bool& escaped) {
  for (++at; at < json.size();) {
    const void* quote = std::memchr(json.data() + at, '"', json.size() - at);
    if (!quote) return json.size();
    const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(quote) - json.data());
    const void* backslash = std::memchr(json.data() + at, '\\', end - at);
    if (!backslash) return end + 1;
    escaped = true;
    at = static_cast<std::size_t>(static_cast<const char*>(backslash) - json.data()) + 2;
  }
  return json.size();
}

// From the first byte of a value to just past it (the JSON is valid: only strings and nesting
// need tracking).
std::size_t skip_value(std::string_view json, std::size_t at) {
  int depth = 0;
  bool escaped = false;
  while (at < json.size()) {
    const char c = json[at];
    if (c == '"') {
      at = skip_string(json, at, escaped);
      if (depth == 0) return at;
      continue;
    }
    if (c == '[' || c == '{') {
      ++depth;
    } else if (c == ']' || c == '}') {
      if (depth == 0) return at;  // the end of the enclosing object: a scalar ended before it
      if (--depth == 0) return at + 1;
    } else if (depth == 0 && (c == ',' || is_space(c))) {
      return at;
    }
    ++at;
  }
  return at;
}

}  // namespace

std::optional<std::string_view> json_member_text(std::string_view json, std::string_view name,
                                                 bool& unsure) {
  unsure = false;
  std::optional<std::string_view> found;
  std::size_t at = 0;
  skip_space(json, at);
  if (at >= json.size() || json[at] != '{') {
    unsure = true;
    return std::nullopt;
  }
  ++at;
  for (;;) {
    skip_space(json, at);
    if (at >= json.size() || json[at] == '}') return found;
    if (json[at] == ',') {
      ++at;
      continue;
    }
    if (json[at] != '"') {
      unsure = true;
      return std::nullopt;
    }
    bool escaped = false;
    const std::size_t key_end = skip_string(json, at, escaped);
    if (escaped) {
      unsure = true;
      return std::nullopt;
    }
    const std::string_view key = json.substr(at + 1, key_end - at - 2);
    at = key_end;
    skip_space(json, at);
    if (at >= json.size() || json[at] != ':') {
      unsure = true;
      return std::nullopt;
    }
    ++at;
    skip_space(json, at);
    const std::size_t value_start = at;
    at = skip_value(json, at);
    const std::string_view value = json.substr(value_start, at - value_start);
    if (util::iequals(key, name) && value != "null") found = value;
  }
}

}  // namespace switchboard::protocol
