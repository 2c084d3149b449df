// What every part of the running service shares: options, keys, the router, the shards and the
// connection-token codec. Owned by Service; everything else holds a reference.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/connection_token.hpp"
#include "backplane/hub_router.hpp"
#include "exec/shard.hpp"
#include "hubs/client_connection.hpp"
#include "metrics/service_metrics.hpp"
#include "net/pending_connections.hpp"
#include "service/admission.hpp"
#include "service/options.hpp"

namespace switchboard::service {

// The service's words for the layers below it: the worker threads, and connections and messages
// as routing sees them.
using exec::Shard;
using hubs::ClientConnection;
using hubs::Clock;
using hubs::Excluded;
using hubs::HubProtocol;
using hubs::MessagePtr;
using hubs::OutboundMessage;

// What a stateful-reconnect client that comes back to a connection that ended while it was away
// is told: a WebSocket message (the hub protocol's Sequence and Close records, in a Text frame for
// JSON or a Binary one for MessagePack).
struct Farewell {
  std::string records;
  bool binary = false;
};

// Connection ids that have ended, so that their (still unexpired) tokens cannot open them again;
// with the farewell of those that ended while their client was away.
class RetiredConnections {
 public:
  // A later call keeps an earlier farewell unless it brings one.
  void retire(const std::string& connection_id, std::chrono::steady_clock::time_point until,
              Farewell farewell = {});
  bool contains(const std::string& connection_id);
  // Whether the connection ended no longer than `window` ago.
  bool ended_within(const std::string& connection_id, std::chrono::steady_clock::duration window);
  std::optional<Farewell> farewell(const std::string& connection_id);

 private:
  struct Entry {
    std::chrono::steady_clock::time_point ended;
    std::chrono::steady_clock::time_point until;
    Farewell farewell;
  };
  // The live entry for the id, or nullptr; purges expired entries now and then. Under mutex_.
  Entry* find_locked(const std::string& connection_id);
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> retired_;
  std::chrono::steady_clock::time_point next_purge_{};
};

class HubConnection;
class DashboardFeed;

// Every live connection by id, whatever its state (handshake included), for the transports
// whose requests arrive separately (Server-Sent Events and long-polling POSTs and polls).
class ConnectionTable {
 public:
  // `connection_id` is the connection's own id() string: the table keeps a view of it, not a copy
  // (issue 16), so the connection calls remove() before it ends.
  void add(const std::string& connection_id, std::weak_ptr<HubConnection> connection);
  void remove(const std::string& connection_id);
  std::shared_ptr<HubConnection> find(const std::string& connection_id);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string_view, std::weak_ptr<HubConnection>> connections_;
};

struct ServiceContext {
  ServiceOptions options;
  std::vector<Shard*> shards;
  std::unique_ptr<backplane::HubRouter> router;
  std::unique_ptr<auth::ConnectionTokenCodec> tokens;
  RetiredConnections retired;
  ConnectionTable connections;
  // Hub connections that have not completed the hub handshake, capped like the HTTP server's
  // connections without a request (--max-pending-connections): the oldest go first.
  std::shared_ptr<net::PendingConnections> awaiting_handshake;
  // The connection limits and the negotiate rate (service/admission).
  std::shared_ptr<Admission> admission;
  // How long after negotiate a connection token may be used to connect.
  std::chrono::seconds connect_window{30};
  // Sends upstream calls when options.upstream has templates; null otherwise.
  std::shared_ptr<upstream::Dispatcher> upstream;
  // Publishes snapshots to the open dashboards (docs/dashboard.md).
  std::shared_ptr<DashboardFeed> dashboard;
  // The counters of GET /metrics (metrics/service_metrics: per shard, summed when read).
  std::shared_ptr<metrics::ServiceMetrics> metrics;
};

}  // namespace switchboard::service
