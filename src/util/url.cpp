// The absolute-URL parser: see url.hpp and docs/urls.md.
#include "util/url.hpp"

#include <arpa/inet.h>

#include <array>

namespace switchboard::util {

namespace {

std::optional<Url> fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return std::nullopt;
}

bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (!is_digit(c)) return false;
  return true;
}

// RFC 3986 §3.2.1: unreserved / sub-delims / ':' (and '%' escapes, checked apart).
bool is_userinfo_char(char c) {
  return is_alpha(c) || is_digit(c) ||
         std::string_view("-._~!$&'()*+,;=:%").find(c) != std::string_view::npos;
}

// Host names as DNS has them (letters, digits, '-', '.', and '_' that some internal names use).
bool is_host_char(char c) {
  return is_alpha(c) || is_digit(c) || c == '-' || c == '.' || c == '_';
}

std::string quoted_char(char c) {
  return std::string("'") + c + "'";
}

// A host whose last label is all digits must be a dotted-decimal IPv4 address: resolvers read
// "1.2.3", "0x7f.1" or "010.0.0.1" as addresses other than they look.
bool dotted_decimal(std::string_view host) {
  int labels = 0;
  while (true) {
    const auto dot = host.find('.');
    const std::string_view label = host.substr(0, dot);
    if (!all_digits(label) || label.size() > 3 || (label.size() > 1 && label[0] == '0'))
      return false;
    int value = 0;
    for (char c : label) value = value * 10 + (c - '0');
    if (value > 255) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
  return labels == 4;
}

// Checks a host name (not an IP literal); returns the problem, or "" when it is valid.
std::string host_name_problem(std::string_view host) {
  if (host.empty()) return "the URL has no host";
  for (char c : host) {
    if (c == '%') return "percent-encoded host names are not supported";
    if (!is_host_char(c))
      return "the host '" + std::string(host) + "' has the invalid character " + quoted_char(c);
  }
  if (host.size() > 253) return "the host name is longer than 253 characters";
  std::string_view rest = host;
  std::string_view last;
  while (true) {
    const auto dot = rest.find('.');
    last = rest.substr(0, dot);
    if (last.empty())
      return "the host '" + std::string(host) + "' has an empty label (a leading, trailing or " +
             "doubled '.')";
    if (last.size() > 63)
      return "the host '" + std::string(host) + "' has a label longer than 63 characters";
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  if (all_digits(last) && !dotted_decimal(host))
    return "the host '" + std::string(host) +
           "' is neither a name nor a dotted-decimal IPv4 address (a.b.c.d, each 0 to 255, "
           "without leading zeros)";
  return "";
}

// Checks the percent-escapes of a path, query or fragment (`part` names it in the message).
std::string escapes_problem(std::string_view text, std::string_view part) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (!percent_escapes_valid(text.substr(i, 3)))
      return "the " + std::string(part) + " has a malformed percent-escape '" +
             std::string(text.substr(i, 3)) + "' ('%' must be followed by two hex digits)";
    i += 2;
  }
  return "";
}

}  // namespace

std::string Url::host_text() const {
  return ipv6 ? "[" + host + "]" : host;
}

std::string Url::authority() const {
  std::string out = host_text();
  if (port) out += ":" + std::to_string(*port);
  return out;
}

std::optional<std::uint16_t> Url::effective_port() const {
  if (port) return port;
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  return std::nullopt;
}

std::string Url::request_target() const {
  std::string out = path.empty() ? "/" : path;
  if (query) out += "?" + *query;
  return out;
}

std::optional<Url> parse_url(std::string_view text, std::string* error) {
  if (text.empty()) return fail(error, "the URL is empty");
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c == 0x7f)
      return fail(error, "the URL has a space or control character at offset " + std::to_string(i));
    if (c >= 0x80)
      return fail(error, "the URL has a non-ASCII byte at offset " + std::to_string(i) +
                             " (percent-encode it; a host name in its punycode form)");
  }

  // Scheme (RFC 3986 §3.1), then "//" and an authority: only hierarchical URLs name a peer.
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0 ||
      text.substr(0, colon).find('/') != std::string_view::npos)
    return fail(error, "the URL has no scheme (expected scheme://host, e.g. https://example.com)");
  const std::string_view scheme = text.substr(0, colon);
  if (!is_alpha(scheme[0]))
    return fail(error, "the scheme '" + std::string(scheme) + "' does not start with a letter");
  for (char c : scheme)
    if (!is_alpha(c) && !is_digit(c) && c != '+' && c != '-' && c != '.')
      return fail(error, "the scheme '" + std::string(scheme) + "' has the invalid character " +
                             quoted_char(c));
  Url url;
  url.scheme = to_lower(scheme);
  if (text.substr(colon + 1, 2) != "//")
    return fail(error, "the URL has no '//' after '" + url.scheme + ":' (expected " + url.scheme +
                           "://host)");
  std::string_view rest = text.substr(colon + 3);
  const auto authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  rest = authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);

  // User information: at most one '@'; its characters as RFC 3986 §3.2.1 allows.
  if (const auto at = authority.find('@'); at != std::string_view::npos) {
    if (authority.find('@', at + 1) != std::string_view::npos)
      return fail(error,
                  "the URL has more than one '@' before the host (percent-encode '@' in "
                  "user information)");
    const std::string_view userinfo = authority.substr(0, at);
    for (char c : userinfo)
      if (!is_userinfo_char(c))
        return fail(error, "the user information has the character " + quoted_char(c) +
                               ", which must be percent-encoded");
    if (!percent_escapes_valid(userinfo))
      return fail(error, "the user information has a malformed percent-escape");
    url.userinfo = std::string(userinfo);
    authority.remove_prefix(at + 1);
  }

  // Host: an IPv6 literal in brackets, or a name / dotted-decimal IPv4 address.
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos)
      return fail(error, "the IPv6 address lacks its closing ']'");
    const std::string_view literal = authority.substr(1, close - 1);
    if (literal.empty()) return fail(error, "the URL has an empty IPv6 address '[]'");
    if (literal[0] == 'v' || literal[0] == 'V')
      return fail(error, "IPvFuture addresses ('[v...]') are not supported");
    if (literal.find('%') != std::string_view::npos)
      return fail(error, "IPv6 zone identifiers ('%') are not supported");
    std::array<unsigned char, 16> bytes{};
    const std::string literal_text(literal);
    if (literal.size() > 45 || inet_pton(AF_INET6, literal_text.c_str(), bytes.data()) != 1)
      return fail(error, "'[" + literal_text + "]' is not a valid IPv6 address");
    char canonical[INET6_ADDRSTRLEN] = {};
    inet_ntop(AF_INET6, bytes.data(), canonical, sizeof canonical);
    url.host = canonical;
    url.ipv6 = true;
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return fail(error, "unexpected text after the IPv6 address: '" + std::string(after) + "'");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    const auto port_colon = authority.find(':');
    const std::string_view host = authority.substr(0, port_colon);
    if (port_colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(port_colon + 1);
      if (port_text.find(':') != std::string_view::npos)
        return fail(error, "an IPv6 address must be written in brackets, e.g. " + url.scheme +
                               "://[::1]:8080/");
    }
    if (auto problem = host_name_problem(host); !problem.empty())
      return fail(error, std::move(problem));
    url.host = to_lower(host);
  }

  // Port: 1 to 65535, digits only.
  if (has_port) {
    if (port_text.empty()) return fail(error, "the URL has ':' after the host but no port");
    if (!all_digits(port_text))
      return fail(error, "the port '" + std::string(port_text) + "' is not a number");
    std::uint32_t value = 0;
    for (char c : port_text) {
      value = value * 10 + static_cast<std::uint32_t>(c - '0');
      if (value > 65535) break;
    }
    if (value < 1 || value > 65535)
      return fail(error, "the port '" + std::string(port_text) + "' is out of range (1 to 65535)");
    url.port = static_cast<std::uint16_t>(value);
  }

  // Path, query, fragment: kept as written; only their escapes are checked.
  if (const auto hash = rest.find('#'); hash != std::string_view::npos) {
    url.fragment = std::string(rest.substr(hash + 1));
    rest = rest.substr(0, hash);
  }
  if (const auto question = rest.find('?'); question != std::string_view::npos) {
    url.query = std::string(rest.substr(question + 1));
    rest = rest.substr(0, question);
  }
  url.path = std::string(rest);
  std::string problem = escapes_problem(url.path, "path");
  if (problem.empty() && url.query) problem = escapes_problem(*url.query, "query");
  if (problem.empty() && url.fragment) problem = escapes_problem(*url.fragment, "fragment");
  if (!problem.empty()) return fail(error, std::move(problem));
  return url;
}

std::optional<Url> parse_authority(std::string_view text, std::string* error) {
  if (text.empty()) return fail(error, "the host is empty");
  if (const auto at = text.find_first_of("@/?#\\"); at != std::string_view::npos)
    return fail(error, "a host[:port] has no " + quoted_char(text[at]) +
                           " (no user information, path, query or fragment)");
  std::string url = "http://";
  url.append(text);
  return parse_url(url, error);
}

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "::1" || host == "[::1]";
}

}  // namespace switchboard::util
