// Absolute-form to origin-form: see request_target.hpp.
#include "net/request_target.hpp"

#include <cctype>
#include <string_view>

#include "util/text.hpp"
#include "util/url.hpp"

namespace switchboard::net {

namespace {

// The length of the `scheme:` prefix of an absolute URI (RFC 3986 §3.1), or 0 if there is none.
std::size_t scheme_length(std::string_view target) {
  if (target.empty() || !std::isalpha(static_cast<unsigned char>(target.front()))) return 0;
  for (std::size_t i = 1; i < target.size(); ++i) {
    char c = target[i];
    if (c == ':') return i + 1;
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') return 0;
  }
  return 0;
}

}  // namespace

std::optional<std::string> normalize_request_target(Request& request) {
  std::string_view target = request.target();
  if (target.empty() || target.front() == '/' || target == "*") return std::nullopt;
  std::size_t colon = scheme_length(target);
  if (colon == 0 || target.substr(colon, 2) != "//") return std::nullopt;  // e.g. authority-form
  std::string_view scheme = target.substr(0, colon - 1);
  if (!util::iequals(scheme, "http") && !util::iequals(scheme, "https"))
    return "The request target's scheme '" + std::string(scheme) + "' is not served here.";
  std::string why;
  const auto url = util::parse_url(target, &why);
  if (!url) return "The request target is not a valid URL: " + why + ".";
  if (url->userinfo) return std::string("The request target must not carry user information.");
  const std::string origin_form = url->request_target();
  request.set(http::field::host, url->authority());
  request.target(origin_form);
  return std::nullopt;
}

}  // namespace switchboard::net
