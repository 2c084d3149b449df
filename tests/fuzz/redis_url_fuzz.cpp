// Feeds redis/redis_url's parse_redis_url the cluster's Redis address (`--redis`,
// `redis://[[user]:password@]host[:port][/db]`). A URL parses or is refused with a message; a
// parsed one has a port and database in range, and its redacted form never shows the password.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "redis/redis_url.hpp"

namespace redis = switchboard::redis;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string error;
  auto url = redis::parse_redis_url(fuzz::bytes(data, size), &error);
  FUZZ_CHECK(url.has_value() == error.empty(), "a URL or an error");
  if (!url) return 0;
  FUZZ_CHECK(url->port >= 1 && !url->host.empty() && url->db >= 0, "port, host and db in range");
  // The redacted form does not depend on the password: it reads the same with any other one.
  if (!url->password.empty()) {
    auto other = *url;
    other.password = url->password == "x" ? "y" : "x";
    FUZZ_CHECK(other.redacted() == url->redacted(), "the password is never shown");
  }
  return 0;
}
