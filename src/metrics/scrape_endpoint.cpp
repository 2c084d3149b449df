// The /metrics answer and its token check: see scrape_endpoint.hpp.
#include "metrics/scrape_endpoint.hpp"

#include <openssl/crypto.h>

#include "auth/crypto.hpp"
#include "util/url.hpp"

namespace switchboard::metrics {

namespace http = net::http;

bool ScrapeEndpoint::matches(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  return path == "/metrics";
}

bool ScrapeEndpoint::authorized(const net::Request& request) const {
  if (token_.empty()) return true;
  std::string given(net::bearer_token(request));
  if (given.empty()) {
    auto target = util::parse_target(request.target());
    if (auto query = target.get("token")) given = std::string(*query);
  }
  if (given.empty()) return false;
  // Compared as digests, in constant time: neither the length nor a prefix leaks.
  const auto expected = auth::hmac_sha256("switchboard metrics", token_);
  const auto actual = auth::hmac_sha256("switchboard metrics", given);
  return CRYPTO_memcmp(expected.data(), actual.data(), expected.size()) == 0;
}

net::Response ScrapeEndpoint::answer(const net::Request& request) const {
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    auto response = net::make_error(http::status::method_not_allowed, "MethodNotAllowed",
                                    "/metrics answers GET and HEAD.");
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }
  if (!authorized(request)) {
    auto response = net::make_error(
        http::status::unauthorized, "Unauthorized",
        "/metrics needs the metrics token (Authorization: Bearer TOKEN or ?token=TOKEN).");
    response.set(http::field::www_authenticate, "Bearer realm=\"metrics\"");
    return response;
  }
  Exposition out;
  for (const auto& writer : writers_) writer(out);
  auto response = net::make_response(http::status::ok, out.take(), kContentType);
  response.set(http::field::cache_control, "no-store");
  return response;
}

}  // namespace switchboard::metrics
