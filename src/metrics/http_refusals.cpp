// HTTP limit refusals: see http_refusals.hpp.
#include "metrics/http_refusals.hpp"

namespace switchboard::metrics {

void HttpRefusals::write(Exposition& out, std::string_view family) const {
  out.sample(family, {{"limit", "header_timeout"}}, header_timeout.value());
  out.sample(family, {{"limit", "body_timeout"}}, body_timeout.value());
  out.sample(family, {{"limit", "max_header_size"}}, header_size.value());
  out.sample(family, {{"limit", "max_request_body"}}, request_body_size.value());
  out.sample(family, {{"limit", "max_pending_connections"}}, pending_connections.value());
}

}  // namespace switchboard::metrics
