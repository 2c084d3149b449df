// The /metrics options of `service`, `start` and `functions` (--metrics-token, --metrics-port)
// and the listener of --metrics-port (docs/metrics.md).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "metrics/metrics_server.hpp"
#include "metrics/scrape_endpoint.hpp"
#include "metrics/service_metrics.hpp"

namespace CLI {
class App;
}
namespace switchboard::exec {
class Shard;
}
namespace switchboard::net {
struct HttpServerOptions;
}

namespace switchboard::cli {

struct MetricsArgs {
  std::string token;                                     // empty: /metrics is open
  int port = 0;                                          // 0: /metrics on the command's own port(s)
  std::size_t max_hubs = metrics::kDefaultMaxHubLabels;  // the service's hub label values
};

void add_metrics_options(CLI::App* command, MetricsArgs& args);
// --metrics-max-hubs, for the commands that run a service (service, start).
void add_metrics_hub_option(CLI::App* command, MetricsArgs& args);

// With --metrics-port: a listener there whose /metrics answers `writers` in order and the
// process metrics after them (started; the pool's threads run it). Without: null.
std::unique_ptr<metrics::MetricsServer> start_metrics_server(
    const MetricsArgs& args, const std::string& bind, const std::vector<exec::Shard*>& shards,
    const net::HttpServerOptions& http, std::vector<metrics::ScrapeEndpoint::Writer> writers);

// The banner's line for /metrics: where it is and whether it needs the token.
std::string describe_metrics(const MetricsArgs& args, const std::string& scheme,
                             const std::string& host, unsigned short port);

}  // namespace switchboard::cli
