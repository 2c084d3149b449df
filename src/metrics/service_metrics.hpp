// The real-time service's counters, kept per shard and summed when read.
//
// Writing (hot path): every shard has its own ShardSlot; only that shard's thread writes to it
// (ShardCounter: a relaxed load and store, no lock, no cache line shared between cores). A hub
// connection looks up its HubCounters once, when it is made (hub(), under the slot's mutex), and
// keeps the pointer: HubCounters are never freed while the service runs, so counting a message
// is one add on memory only its thread writes. Rare events (refusals, dropped clients) are
// SharedCounters (an atomic add from any thread).
//
// Reading (a scrape, the dashboard): snapshot() sums every shard's counters into plain numbers,
// per hub, taking each slot's mutex only to walk its hub list. Counters only grow; a rate is the
// difference of two snapshots divided by the time between them (Snapshot::taken). The numbers of
// one snapshot are read one after the other while the shards keep counting, so they are
// consistent to within the messages of that instant (connections are clamped at 0).
//
// Hub labels: hub names are chosen by clients, so the number of distinct `hub` label values is
// capped (max_hub_labels): the first hubs seen get their own series, every later one is counted
// under hub="_other" (a name no hub can have). Hubs named in `unlabelled_hubs` (the dashboards'
// own hub) are counted nowhere: their connections write to a per-shard sink that is never read.
//
// write() renders a snapshot in the Prometheus text format (docs/metrics.md names every metric).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "metrics/counter.hpp"
#include "metrics/exposition.hpp"
#include "metrics/http_refusals.hpp"

namespace switchboard::metrics {

// Indexes of the transports and hub protocols, as hub connections name them.
inline constexpr std::size_t kTransports = 3;  // WebSockets, ServerSentEvents, LongPolling
inline constexpr std::size_t kProtocols = 2;   // json, messagepack
extern const std::array<std::string_view, kTransports> kTransportNames;
extern const std::array<std::string_view, kProtocols> kProtocolNames;

// HTTP status codes are counted in an array indexed by code (100-599).
inline constexpr std::size_t kStatusCodes = 600;

// The hub label of the hubs past the cap, and the default cap (--metrics-max-hubs).
inline constexpr std::string_view kOtherHub = "_other";
inline constexpr std::size_t kDefaultMaxHubLabels = 100;

// One hub's counters on one shard.
struct HubCounters {
  std::array<ShardCounter, kTransports> opened;  // connections that completed the handshake
  std::array<ShardCounter, kTransports> closed;  // of those, ended
  std::array<ShardCounter, kProtocols> messages_received;
  std::array<ShardCounter, kProtocols> messages_sent;
  std::array<ShardCounter, kProtocols> bytes_received;
  std::array<ShardCounter, kProtocols> bytes_sent;
};

// The limits of docs/limits.md that the service itself enforces (the HTTP ones are in
// HttpRefusals).
enum class ServiceLimit {
  MaxConnections,
  MaxConnectionsPerIp,
  NegotiateRate,
  MaxMessageSize,
  HandshakeTimeout,
  ClientTimeout,
  AwaitingHandshake,  // shed: over --max-pending-connections without a hub handshake
  Count
};

class ServiceMetrics {
 public:
  // `rest_operations`: the names of the REST API's operations, by index; index
  // rest_operations.size() counts requests that match no operation ("unknown").
  // `max_hub_labels`: distinct hub label values before the rest go under kOtherHub.
  // `unlabelled_hubs`: hubs whose connections are not counted at all.
  ServiceMetrics(std::size_t shards, std::vector<std::string> rest_operations,
                 std::size_t max_hub_labels = kDefaultMaxHubLabels,
                 std::vector<std::string> unlabelled_hubs = {});

  // Per shard (only from that shard's thread).
  HubCounters& hub(std::size_t shard, const std::string& hub);
  // `hub`: the hub the request named (empty: none, or not a valid one).
  void rest_request(std::size_t shard, std::size_t operation, std::string_view hub,
                    unsigned status);
  void negotiate(std::size_t shard, unsigned status);

  // From any thread.
  void refused(ServiceLimit limit) { limits_[static_cast<std::size_t>(limit)].add(); }
  void slow_client_dropped() { slow_clients_dropped_.add(); }
  HttpRefusals& http() { return http_; }

  struct HubTotals {
    std::array<std::uint64_t, kTransports> opened{};
    std::array<std::uint64_t, kTransports> closed{};
    std::array<std::uint64_t, kProtocols> messages_received{};
    std::array<std::uint64_t, kProtocols> messages_sent{};
    std::array<std::uint64_t, kProtocols> bytes_received{};
    std::array<std::uint64_t, kProtocols> bytes_sent{};
    // Open connections on a transport (opened - closed, never below 0).
    std::uint64_t connections(std::size_t transport) const {
      return opened[transport] > closed[transport] ? opened[transport] - closed[transport] : 0;
    }
  };
  struct Snapshot {
    std::chrono::steady_clock::time_point taken;
    std::map<std::string, HubTotals> hubs;  // by hub name (lower case, as connections have it)
    // rest[{hub label, operation, status}]: non-zero entries only.
    std::map<std::tuple<std::string, std::size_t, unsigned>, std::uint64_t> rest;
    std::map<unsigned, std::uint64_t> negotiate;  // by status
    std::array<std::uint64_t, static_cast<std::size_t>(ServiceLimit::Count)> limits{};
    std::uint64_t slow_clients_dropped = 0;
  };
  Snapshot snapshot() const;
  const std::vector<std::string>& rest_operations() const { return rest_operations_; }

  // The service's metrics in the text format (HTTP refusals included; not the process metrics).
  void write(Exposition& out) const;

 private:
  using RestKey = std::tuple<std::string, std::size_t, unsigned>;  // hub label, operation, status
  struct ShardSlot {
    mutable std::mutex mutex;  // guards the maps' structure and `rest`, not the hub counters
    std::map<std::string, std::unique_ptr<HubCounters>, std::less<>> hubs;
    HubCounters unlabelled;  // the sink of unlabelled_hubs' connections (never read)
    std::map<RestKey, std::uint64_t> rest;
    // The entry counted last, by the hub as called (a REST client calls one operation on one hub
    // again and again): found without the label's lookup and the map's key compares. A hub's
    // label never changes once given, and `rest` entries are never erased.
    std::string last_hub;
    std::size_t last_operation = 0;
    unsigned last_status = 0;
    std::uint64_t* last_count = nullptr;
    std::array<ShardCounter, kStatusCodes> negotiate;
  };
  // The label `hub` is counted under: itself while under the cap, else kOtherHub.
  std::string hub_label(std::string_view hub);
  std::vector<std::string> rest_operations_;
  std::size_t max_hub_labels_;
  std::vector<std::string> unlabelled_hubs_;
  std::mutex labels_mutex_;
  std::set<std::string, std::less<>> labels_;  // the hubs with a label of their own
  std::vector<std::unique_ptr<ShardSlot>> shards_;
  std::array<SharedCounter, static_cast<std::size_t>(ServiceLimit::Count)> limits_;
  SharedCounter slow_clients_dropped_;
  HttpRefusals http_;
};

}  // namespace switchboard::metrics
