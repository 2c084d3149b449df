// Parsing of `redis://[[user]:password@]host[:port][/db]` URLs and their redacted form for logs:
// util::parse_url reads the URL as it reads every URL (host, IPv6, port); this file adds what is
// Redis's own (the credentials' form, the database number, no query or fragment).
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

std::optional<RedisUrl> fail(std::string* error, std::string message) {
  if (error) *error = std::move(message);
  return std::nullopt;
}

}  // namespace

std::optional<RedisUrl> parse_redis_url(std::string_view text, std::string* error) {
  if (starts_with_ci(text, "rediss://")) return fail(error, "TLS (rediss://) is not supported");
  if (!starts_with_ci(text, "redis://"))
    return fail(error, "a Redis URL must start with redis://, e.g. redis://127.0.0.1:6379");

  // Scheme, user information, host (IPv6 in brackets) and port as every URL: util::parse_url.
  std::string why;
  const auto parsed = util::parse_url(text, &why);
  if (!parsed) return fail(error, std::move(why));
  if (parsed->query)
    return fail(error, "a Redis URL takes no query, not '?" + *parsed->query + "'");
  if (parsed->fragment)
    return fail(error, "a Redis URL takes no fragment, not '#" + *parsed->fragment + "'");

  RedisUrl url;
  url.host = parsed->host;
  if (parsed->port) url.port = *parsed->port;

  // Credentials: [user]:password, each percent-decoded.
  if (parsed->userinfo) {
    const std::string_view userinfo = *parsed->userinfo;
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

  // Database: "/digits", or nothing ("/" alone is database 0).
  std::string_view path = parsed->path;
  if (!path.empty()) path.remove_prefix(1);
  if (!path.empty()) {
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
