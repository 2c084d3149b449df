// What an HTTP server (net::HttpServer) refused because of a limit of docs/limits.md: counted
// from the sessions of any shard (rare events: atomic adds) and read by a scrape.
#pragma once

#include "metrics/counter.hpp"
#include "metrics/exposition.hpp"

namespace switchboard::metrics {

struct HttpRefusals {
  SharedCounter header_timeout;       // 408: headers not in within --header-timeout
  SharedCounter body_timeout;         // 408: body not in within --body-timeout
  SharedCounter header_size;          // 431: over --max-header-size
  SharedCounter request_body_size;    // 413: over --max-request-body
  SharedCounter pending_connections;  // shed: over --max-pending-connections

  // Samples of `family` (started by the caller), one per limit, as label limit="...".
  void write(Exposition& out, std::string_view family) const;
};

}  // namespace switchboard::metrics
