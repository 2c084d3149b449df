// Request-target parsing and percent-encoding helpers.
#include "util/url.hpp"

#include <cctype>

namespace switchboard::util {

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::string percent_decode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = hex_value(text[i + 1]);
      int lo = hex_value(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

Target parse_target(std::string_view target) {
  Target result;
  auto question = target.find('?');
  result.path = percent_decode(target.substr(0, question), false);
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
