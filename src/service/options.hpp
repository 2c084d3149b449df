// Settings of the real-time service: where it listens, its keys, and the protocol timers and
// limits.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "backplane/cluster_options.hpp"
#include "net/ip_range.hpp"
#include "upstream/settings.hpp"

namespace switchboard::upstream {
class Dispatcher;
}
namespace switchboard::net {
class TlsCertificate;
}

namespace switchboard::service {

class RecentErrors;

struct ServiceOptions {
  std::string bind_address = "127.0.0.1";
  unsigned short port = 8888;
  std::vector<std::string> access_keys;   // tokens signed with any of them are accepted
  std::string public_host = "localhost";  // host of the printed connection string
  std::chrono::milliseconds keep_alive_interval{15000};
  std::chrono::milliseconds client_timeout_interval{30000};
  std::chrono::milliseconds handshake_timeout{15000};
  std::chrono::milliseconds long_polling_timeout{90000};
  std::size_t max_message_size = 32 * 1024;        // per incoming hub message
  std::size_t max_outbound_queue_bytes = 1 << 20;  // per connection, not yet written
  // Stateful reconnect: written messages kept until the client acknowledges them (the oldest go
  // first beyond this); a connection away from its socket keeps at most this plus
  // max_outbound_queue_bytes for its client.
  std::size_t stateful_reconnect_buffer_bytes = 1 << 20;
  std::size_t max_rest_body_bytes = 1 << 20;
  // HTTP: time a request's headers have to arrive, and the cap on connections that have not sent
  // a first request (0: by descriptors, see net::PendingConnections).
  std::chrono::milliseconds header_timeout{10000};
  std::size_t max_pending_connections = 0;
  // Serve HTTPS and WSS with this certificate (docs/tls.md); null: plain HTTP.
  std::shared_ptr<net::TlsCertificate> tls;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds keep_alive_timeout{60000};  // idle between requests
  std::chrono::milliseconds body_timeout{30000};        // for a whole request body
  // Client connections (docs/limits.md): the node's limit (0: 9/10 of the open-file limit), the
  // limit per client address (0: none), negotiates per second and address (0: no limit) and the
  // burst allowed beyond that rate (0: twice the rate).
  std::size_t max_connections = 0;
  std::size_t max_connections_per_ip = 0;
  double negotiate_rate = 50;
  double negotiate_burst = 0;
  // Peers whose X-Forwarded-For is believed (net/client_address); none by default.
  std::vector<net::IpRange> trusted_proxies;
  unsigned threads = 0;               // 0: one per core
  backplane::ClusterOptions cluster;  // a cluster node when cluster.redis_url is set
  // Upstream (docs/upstream.md): where client events and invocations go; none when empty.
  upstream::Settings upstream;
  // What sends upstream calls; null: HTTP (upstream::HttpDispatcher).
  std::shared_ptr<upstream::Dispatcher> upstream_dispatcher;
  // Upstream calls to these host:port authorities over HTTPS trust exactly this certificate (the
  // functions host of `start`, on loopback), instead of the system's CAs.
  std::map<std::string, std::shared_ptr<net::TlsCertificate>> upstream_pins;
  std::chrono::milliseconds upstream_timeout{30000};  // per call
  std::size_t upstream_max_pending = 64;  // per connection; beyond it the client is closed
  // The last warning and error lines of the log, shown on the dashboard; null: none shown.
  std::shared_ptr<RecentErrors> recent_errors;
  // GET /metrics on the service's own port (off when --metrics-port moves it elsewhere), and
  // the token a scrape must bring (empty: open).
  bool serve_metrics = true;
  std::string metrics_token;
  // Distinct hub label values in /metrics before the rest are counted under hub="_other"
  // (--metrics-max-hubs; the default is metrics::kDefaultMaxHubLabels).
  std::size_t metrics_max_hubs = 100;
};

}  // namespace switchboard::service
