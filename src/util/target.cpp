// Request-target splitting: see target.hpp.
#include "util/target.hpp"

#include "util/percent_encoding.hpp"
#include "util/text.hpp"

namespace switchboard::util {

Target parse_target(std::string_view target) {
  Target result = parse_query(target);
  result.path = percent_decode(target.substr(0, target.find('?')), false);
  return result;
}

Target parse_query(std::string_view target) {
  Target result;
  auto question = target.find('?');
  if (question == std::string_view::npos) return result;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1), true);
    result.query.emplace_back(std::move(key), std::move(value));
  }
  return result;
}

std::optional<std::string_view> Target::get(std::string_view key) const {
  for (const auto& [k, v] : query)
    if (iequals(k, key)) return std::string_view{v};
  return std::nullopt;
}

std::vector<std::string> Target::get_all(std::string_view key) const {
  std::vector<std::string> values;
  for (const auto& [k, v] : query)
    if (iequals(k, key)) values.push_back(v);
  return values;
}

std::size_t Target::count(std::string_view key) const {
  std::size_t n = 0;
  for (const auto& [k, v] : query)
    if (iequals(k, key)) ++n;
  return n;
}

}  // namespace switchboard::util
