// The Redis address of a cluster: `redis://[[user]:password@]host[:port][/db]` parsed into its
// parts, with a precise message for what is wrong in a bad one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::redis {

struct RedisUrl {
  std::string host = "127.0.0.1";
  unsigned short port = 6379;
  std::string user;      // empty: AUTH with the password only (the "default" user)
  std::string password;  // empty: no AUTH
  int db = 0;            // SELECT when not 0

  // The URL with the password replaced by "***", for logs and messages.
  std::string redacted() const;
};

// nullopt and *error set (e.g. "the port must be a number from 1 to 65535") when `text` is not a
// redis:// URL. User and password are percent-decoded.
std::optional<RedisUrl> parse_redis_url(std::string_view text, std::string* error);

}  // namespace switchboard::redis
