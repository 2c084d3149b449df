// Feeds util/url's parse_url the absolute URLs the service and the functions host take from
// outside (upstream URL templates, --service-url, connection-string endpoints, webhook and
// redirect targets). A URL parses or is refused with a message; a parsed one has a lower-case
// scheme, a port in range, a path empty or starting with '/', and its own pieces (scheme,
// authority, request target) parse back to the same scheme, host and port.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "util/url.hpp"

namespace util = switchboard::util;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string error;
  auto url = util::parse_url(fuzz::bytes(data, size), &error);
  FUZZ_CHECK(url.has_value() == error.empty(), "a URL or an error");
  if (!url) return 0;
  for (char c : url->scheme) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'), "the scheme is lower-case");
  FUZZ_CHECK(!url->port || *url->port >= 1, "a written port is 1 to 65535");
  FUZZ_CHECK(url->path.empty() || url->path.front() == '/', "the path is empty or starts with /");
  auto target = url->request_target();
  FUZZ_CHECK(!target.empty() && target.front() == '/', "a request target starts with /");
  // scheme://authority parses back to the same host and port.
  std::string again_error;
  auto again = util::parse_url(url->scheme + "://" + url->authority(), &again_error);
  FUZZ_CHECK(again.has_value(), again_error.c_str());
  FUZZ_CHECK(again->host == url->host && again->port == url->port && again->ipv6 == url->ipv6,
             "host and port survive a round trip");
  FUZZ_CHECK(again->effective_port() == url->effective_port(), "the effective port is the same");
  util::is_loopback_host(url->host);
  return 0;
}
