// A listener of its own for /metrics (--metrics-port): answers the scrape endpoint there and 404
// for any other path, on the threads of the given shards.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "metrics/scrape_endpoint.hpp"

namespace switchboard::exec {
class Shard;
}
namespace switchboard::net {
struct HttpServerOptions;
}

namespace switchboard::metrics {

class MetricsServer {
 public:
  MetricsServer(std::vector<exec::Shard*> shards, std::shared_ptr<ScrapeEndpoint> endpoint,
                const net::HttpServerOptions& options);
  ~MetricsServer();
  // Binds (throws with a clear message when the address is taken).
  void listen(const std::string& address, unsigned short port);
  unsigned short port() const;
  // Stops accepting; safe from any thread.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::metrics
