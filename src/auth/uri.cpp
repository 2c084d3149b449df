// Minimal absolute-URI splitting for connection strings and token audiences.
#include "auth/uri.hpp"

#include "util/url.hpp"

#include <cctype>

namespace switchboard::auth {
namespace {}  // namespace

std::optional<Uri> parse_uri(std::string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return std::nullopt;
  }
  const auto colon = text.find("://");
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  const std::string_view scheme = text.substr(0, colon);
  if (!std::isalpha(static_cast<unsigned char>(scheme[0]))) return std::nullopt;
  for (char c : scheme) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return std::nullopt;
    }
  }
  Uri uri;
  uri.scheme = util::to_lower(scheme);
  std::string_view rest = text.substr(colon + 3);

  if (const auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const auto authority_end = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);
  }

  std::string_view host;
  std::string_view port;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = authority.substr(0, close + 1);
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return std::nullopt;
      port = after.substr(1);
      has_port = true;
    }
  } else {
    const auto port_colon = authority.find(':');
    host = authority.substr(0, port_colon);
    if (port_colon != std::string_view::npos) {
      port = authority.substr(port_colon + 1);
      has_port = true;
    }
  }
  if (host.empty() || host == "[]") return std::nullopt;
  uri.host = util::to_lower(host);
  if (has_port && !port.empty()) {  // "host:" means the default port
    if (port.size() > 5) return std::nullopt;
    int value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') return std::nullopt;
      value = value * 10 + (c - '0');
    }
    if (value > 65535) return std::nullopt;
    uri.port = value;
  }

  const auto question = rest.find('?');
  uri.path = std::string(rest.substr(0, question));
  if (question != std::string_view::npos) uri.query = std::string(rest.substr(question + 1));
  return uri;
}

std::string url_decode(std::string_view text) {
  return util::percent_decode(text, true);
}

}  // namespace switchboard::auth
