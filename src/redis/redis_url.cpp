// Parsing of `redis://[[user]:password@]host[:port][/db]` URLs (strict: every malformed part gets
// its own message) and their redacted form for logs.
#include "redis/redis_url.hpp"

#include <charconv>
#include <climits>

#include "util/url.hpp"

namespace switchboard::redis {
namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

bool is_host_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_';
}

bool is_ipv6_char(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
         c == '.';
}

bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '9') return false;
  return true;
}

std::optional<RedisUrl> fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return std::nullopt;
}

}  // namespace

std::optional<RedisUrl> parse_redis_url(std::string_view text, std::string* error) {
  if (starts_with_ci(text, "rediss://")) return fail(error, "TLS (rediss://) is not supported");
  if (!starts_with_ci(text, "redis://"))
    return fail(error, "a Redis URL must start with redis://, e.g. redis://127.0.0.1:6379");
  std::string_view rest = text.substr(8);

  RedisUrl url;
  std::string_view authority = rest.substr(0, rest.find('/'));
  std::string_view path =
      authority.size() < rest.size() ? rest.substr(authority.size() + 1) : std::string_view{};
  bool has_path = authority.size() < rest.size();

  // Credentials: everything before the last '@' of the authority.
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    auto colon = userinfo.find(':');
    if (colon == std::string_view::npos)
      return fail(error,
                  "the credentials must be written [user]:password@ (a password alone is "
                  ":password@)");
    auto user = util::percent_decode_strict(userinfo.substr(0, colon));
    if (!user) return fail(error, "the user name has a malformed percent-encoding");
    auto password = util::percent_decode_strict(userinfo.substr(colon + 1));
    if (!password) return fail(error, "the password has a malformed percent-encoding");
    if (password->empty()) {
      if (!user->empty())
        return fail(error, "the user '" + *user + "' is given without a password");
      return fail(error, "the password is empty (leave out ':@' to connect without one)");
    }
    url.user = std::move(*user);
    url.password = std::move(*password);
  }

  // Host and port.
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return fail(error, "the IPv6 address lacks its closing ']'");
    std::string_view host = authority.substr(1, close - 1);
    if (host.empty()) return fail(error, "the host is empty");
    for (char c : host)
      if (!is_ipv6_char(c))
        return fail(error, "the IPv6 address '" + std::string(host) + "' is not valid");
    url.host = std::string(host);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':')
        return fail(error, "unexpected text after the IPv6 address: '" + std::string(after) + "'");
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.find(':');
    std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
      if (port_text.find(':') != std::string_view::npos)
        return fail(error, "an IPv6 address must be written in brackets, e.g. redis://[::1]:6379");
    }
    if (host.empty()) return fail(error, "the host is empty");
    for (char c : host)
      if (!is_host_name_char(c))
        return fail(error, "the host '" + std::string(host) + "' has an invalid character");
    url.host = std::string(host);
  }
  if (has_port) {
    unsigned long port = 0;
    bool ok = all_digits(port_text) && port_text.size() <= 5;
    if (ok) std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (!ok || port < 1 || port > 65535)
      return fail(
          error, "the port must be a number from 1 to 65535, not '" + std::string(port_text) + "'");
    url.port = static_cast<unsigned short>(port);
  }

  // Database: digits, then nothing.
  if (has_path && !path.empty()) {
    std::size_t digits = 0;
    while (digits < path.size() && path[digits] >= '0' && path[digits] <= '9') ++digits;
    if (digits == 0) {
      if (path.front() == '-')
        return fail(error,
                    "the database number must not be negative, not '" + std::string(path) + "'");
      return fail(error,
                  "the database must be a number (e.g. /0), not '" + std::string(path) + "'");
    }
    if (digits < path.size())
      return fail(error, "unexpected text after the database number: '" +
                             std::string(path.substr(digits)) + "'");
    long long db = 0;
    auto [end, ec] = std::from_chars(path.data(), path.data() + digits, db);
    if (ec != std::errc{} || db > INT_MAX)
      return fail(error, "the database number " + std::string(path) + " is too large");
    url.db = static_cast<int>(db);
  }
  return url;
}

std::string RedisUrl::redacted() const {
  std::string out = "redis://";
  if (!user.empty() || !password.empty()) {
    out += util::percent_encode(user);
    out += ":***@";
  }
  if (host.find(':') != std::string::npos)
    out += "[" + host + "]";
  else
    out += host;
  out += ":" + std::to_string(port);
  if (db != 0) out += "/" + std::to_string(db);
  return out;
}

}  // namespace switchboard::redis
