// Request targets (origin-form, `/path?query`): the decoded path and the query's pairs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// Splits at the first '?'; pairs at '&', name and value at the first '='; empty pairs skipped.
// Decoding is lenient (percent_decode, '+' a space in the query): a request's target is read,
// never refused, here.
Target parse_target(std::string_view target);
// The same without the path (left empty): for a caller that reads the path otherwise.
Target parse_query(std::string_view target);

}  // namespace switchboard::util
