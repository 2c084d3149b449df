// /metrics options and the --metrics-port listener: see metrics_options.hpp.
#include "cli/metrics_options.hpp"

#include <CLI/CLI.hpp>

#include "metrics/process_metrics.hpp"
#include "net/http_server.hpp"

namespace switchboard::cli {

void add_metrics_options(CLI::App* command, MetricsArgs& args) {
  command
      ->add_option("--metrics-token", args.token,
                   "Require this token to scrape /metrics (Authorization: Bearer TOKEN or "
                   "?token=TOKEN; otherwise 401) (default: none, /metrics is open; "
                   "docs/metrics.md)")
      ->envname("SWITCHBOARD_METRICS_TOKEN");
  command
      ->add_option("--metrics-port", args.port,
                   "Serve /metrics on this port only, instead of on the command's own port(s) "
                   "(0: on its own port(s))")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
}

void add_metrics_hub_option(CLI::App* command, MetricsArgs& args) {
  command
      ->add_option("--metrics-max-hubs", args.max_hubs,
                   "Distinct hub label values in /metrics; the connections and REST calls of "
                   "further hubs are counted under hub=\"_other\" (docs/metrics.md)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{100000}));
}

std::unique_ptr<metrics::MetricsServer> start_metrics_server(
    const MetricsArgs& args, const std::string& bind, const std::vector<exec::Shard*>& shards,
    const net::HttpServerOptions& http, std::vector<metrics::ScrapeEndpoint::Writer> writers) {
  if (args.port == 0) return nullptr;
  auto endpoint = std::make_shared<metrics::ScrapeEndpoint>(args.token);
  for (auto& writer : writers) endpoint->add(std::move(writer));
  endpoint->add(metrics::write_process_metrics);
  auto server = std::make_unique<metrics::MetricsServer>(shards, std::move(endpoint), http);
  server->listen(bind, static_cast<unsigned short>(args.port));
  return server;
}

std::string describe_metrics(const MetricsArgs& args, const std::string& scheme,
                             const std::string& host, unsigned short port) {
  return scheme + host + ":" + std::to_string(port) + "/metrics" +
         (args.token.empty() ? "" : " (needs --metrics-token)");
}

}  // namespace switchboard::cli
