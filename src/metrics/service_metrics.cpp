// The service's per-shard counters and their rendering: see service_metrics.hpp.
#include "metrics/service_metrics.hpp"

#include <algorithm>
#include <string>

namespace switchboard::metrics {

const std::array<std::string_view, kTransports> kTransportNames = {"WebSockets", "ServerSentEvents",
                                                                   "LongPolling"};
const std::array<std::string_view, kProtocols> kProtocolNames = {"json", "messagepack"};

namespace {

const std::array<std::string_view, static_cast<std::size_t>(ServiceLimit::Count)> kLimitNames = {
    "max_connections",   "max_connections_per_ip",  "negotiate_rate",        "max_message_size",
    "handshake_timeout", "client_timeout_interval", "max_pending_handshakes"};

}  // namespace

ServiceMetrics::ServiceMetrics(std::size_t shards, std::vector<std::string> rest_operations,
                               std::size_t max_hub_labels, std::vector<std::string> unlabelled_hubs)
    : rest_operations_(std::move(rest_operations)),
      max_hub_labels_(max_hub_labels),
      unlabelled_hubs_(std::move(unlabelled_hubs)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(shards, 1); ++i)
    shards_.push_back(std::make_unique<ShardSlot>());
}

std::string ServiceMetrics::hub_label(std::string_view hub) {
  std::lock_guard lock(labels_mutex_);
  if (labels_.find(hub) != labels_.end()) return std::string(hub);
  if (labels_.size() >= max_hub_labels_) return std::string(kOtherHub);
  return *labels_.emplace(hub).first;
}

HubCounters& ServiceMetrics::hub(std::size_t shard, const std::string& hub) {
  auto& slot = *shards_[shard % shards_.size()];
  if (std::find(unlabelled_hubs_.begin(), unlabelled_hubs_.end(), hub) != unlabelled_hubs_.end())
    return slot.unlabelled;
  const std::string label = hub_label(hub);
  std::lock_guard lock(slot.mutex);
  auto it = slot.hubs.find(label);
  if (it == slot.hubs.end()) it = slot.hubs.emplace(label, std::make_unique<HubCounters>()).first;
  return *it->second;
}

void ServiceMetrics::rest_request(std::size_t shard, std::size_t operation, std::string_view hub,
                                  unsigned status) {
  if (operation > rest_operations_.size()) operation = rest_operations_.size();
  if (status >= kStatusCodes) status = 0;
  auto& slot = *shards_[shard % shards_.size()];
  {
    std::lock_guard lock(slot.mutex);
    if (slot.last_count != nullptr && slot.last_operation == operation &&
        slot.last_status == status && slot.last_hub == hub) {
      ++*slot.last_count;
      return;
    }
  }
  RestKey key{hub.empty() ? std::string() : hub_label(hub), operation, status};
  std::lock_guard lock(slot.mutex);
  std::uint64_t& count = slot.rest[std::move(key)];
  ++count;
  slot.last_hub.assign(hub);
  slot.last_operation = operation;
  slot.last_status = status;
  slot.last_count = &count;
}

void ServiceMetrics::negotiate(std::size_t shard, unsigned status) {
  if (status >= kStatusCodes) status = 0;
  shards_[shard % shards_.size()]->negotiate[status].add();
}

ServiceMetrics::Snapshot ServiceMetrics::snapshot() const {
  Snapshot snap;
  snap.taken = std::chrono::steady_clock::now();
  for (const auto& slot : shards_) {
    {
      std::lock_guard lock(slot->mutex);
      for (const auto& [key, n] : slot->rest) snap.rest[key] += n;
      for (const auto& [name, counters] : slot->hubs) {
        auto& totals = snap.hubs[name];
        for (std::size_t t = 0; t < kTransports; ++t) {
          // closed before opened: the difference read is never below what it was.
          totals.closed[t] += counters->closed[t].value();
          totals.opened[t] += counters->opened[t].value();
        }
        for (std::size_t p = 0; p < kProtocols; ++p) {
          totals.messages_received[p] += counters->messages_received[p].value();
          totals.messages_sent[p] += counters->messages_sent[p].value();
          totals.bytes_received[p] += counters->bytes_received[p].value();
          totals.bytes_sent[p] += counters->bytes_sent[p].value();
        }
      }
    }
    for (unsigned status = 0; status < kStatusCodes; ++status)
      if (auto n = slot->negotiate[status].value()) snap.negotiate[status] += n;
  }
  for (std::size_t i = 0; i < limits_.size(); ++i) snap.limits[i] = limits_[i].value();
  snap.slow_clients_dropped = slow_clients_dropped_.value();
  return snap;
}

void ServiceMetrics::write(Exposition& out) const {
  const auto snap = snapshot();
  out.family("switchboard_connections", "gauge",
             "Client connections open now (hub handshake completed), by hub and transport.");
  for (const auto& [hub, totals] : snap.hubs)
    for (std::size_t t = 0; t < kTransports; ++t)
      out.sample("switchboard_connections", {{"hub", hub}, {"transport", kTransportNames[t]}},
                 totals.connections(t));
  auto per_transport = [&](std::string_view name, std::string_view help, auto member) {
    out.family(name, "counter", help);
    for (const auto& [hub, totals] : snap.hubs)
      for (std::size_t t = 0; t < kTransports; ++t)
        out.sample(name, {{"hub", hub}, {"transport", kTransportNames[t]}}, (totals.*member)[t]);
  };
  per_transport("switchboard_connections_opened_total",
                "Client connections that completed the hub handshake.", &HubTotals::opened);
  per_transport("switchboard_connections_closed_total",
                "Client connections (of those opened) that ended.", &HubTotals::closed);
  auto per_protocol = [&](std::string_view name, std::string_view help, auto member) {
    out.family(name, "counter", help);
    for (const auto& [hub, totals] : snap.hubs)
      for (std::size_t p = 0; p < kProtocols; ++p)
        out.sample(name, {{"hub", hub}, {"protocol", kProtocolNames[p]}}, (totals.*member)[p]);
  };
  per_protocol("switchboard_messages_received_total",
               "Hub messages received from clients (invocations, stream items, completions, "
               "cancels, closes; not pings, acks or sequences).",
               &HubTotals::messages_received);
  per_protocol("switchboard_messages_sent_total",
               "Hub messages written to clients, one per recipient (invocations from REST sends "
               "and completions; not pings, handshakes or closes): the deliveries.",
               &HubTotals::messages_sent);
  per_protocol("switchboard_received_bytes_total",
               "Bytes of hub protocol received from clients (without transport framing).",
               &HubTotals::bytes_received);
  per_protocol("switchboard_sent_bytes_total",
               "Bytes of hub protocol written to clients (every record, pings included; without "
               "transport framing).",
               &HubTotals::bytes_sent);

  out.family("switchboard_rest_requests_total", "counter",
             "REST API requests answered, by hub (empty: none or not a valid hub name), "
             "operation and HTTP status code.");
  for (const auto& [key, n] : snap.rest) {
    const auto& [hub, operation, status] = key;
    const std::string code = std::to_string(status);
    const std::string_view name = operation < rest_operations_.size()
                                      ? std::string_view(rest_operations_[operation])
                                      : std::string_view("unknown");
    out.sample("switchboard_rest_requests_total",
               {{"hub", hub}, {"operation", name}, {"code", code}}, n);
  }
  out.family("switchboard_negotiate_requests_total", "counter",
             "Negotiate requests answered, by HTTP status code.");
  for (const auto& [status, n] : snap.negotiate)
    out.sample("switchboard_negotiate_requests_total", {{"code", std::to_string(status)}}, n);

  out.family("switchboard_slow_clients_dropped_total", "counter",
             "Client connections dropped because they did not read what they were sent "
             "(--max-outbound-queue).");
  out.sample("switchboard_slow_clients_dropped_total", {}, snap.slow_clients_dropped);

  out.family("switchboard_limit_refusals_total", "counter",
             "Requests and connections refused or closed by a limit of docs/limits.md, by the "
             "limit's flag.");
  for (std::size_t i = 0; i < kLimitNames.size(); ++i)
    out.sample("switchboard_limit_refusals_total", {{"limit", kLimitNames[i]}}, snap.limits[i]);
  http_.write(out, "switchboard_limit_refusals_total");
}

}  // namespace switchboard::metrics
