// URL pieces for request targets: splitting path and query, percent-decoding, query lookups.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/text.hpp"

namespace switchboard::util {

struct Target {
  std::string path;                                        // percent-decoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order, repeats kept

  // First value of `key` (compared case-insensitively), or nullopt.
  std::optional<std::string_view> get(std::string_view key) const;
  // Every value of `key` (compared case-insensitively).
  std::vector<std::string> get_all(std::string_view key) const;
  std::size_t count(std::string_view key) const;
};

Target parse_target(std::string_view target);
std::string percent_decode(std::string_view text, bool plus_as_space);
std::string percent_encode(std::string_view text);  // RFC 3986 unreserved kept

}  // namespace switchboard::util
