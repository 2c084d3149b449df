// Pushes the dashboard's snapshot (service/dashboard_snapshot) to every open dashboard, once a
// second, as the invocation `snapshot` of its hub connection (docs/dashboard.md). The timer runs
// only while a dashboard is connected: nobody watching costs nothing. Safe from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "service/dashboard_snapshot.hpp"
#include "service/service_context.hpp"

namespace switchboard::service {

class DashboardFeed : public std::enable_shared_from_this<DashboardFeed> {
 public:
  static constexpr std::size_t kMaxDashboards = 16;
  static constexpr std::chrono::milliseconds kPeriod{1000};

  // The recent errors come from context.options.recent_errors.
  explicit DashboardFeed(ServiceContext& context);
  ~DashboardFeed();

  // On the connection's shard, once its handshake is answered: it gets a snapshot at once and
  // then every period. Returns why it cannot (too many dashboards), else an empty string.
  std::string subscribe(const std::shared_ptr<ClientConnection>& connection);
  void unsubscribe(const std::string& connection_id);
  // The service stops: no more snapshots.
  void stop();

  std::size_t subscribers() const;
  // Whether the publishing loop runs (it ends at its first turn with nobody subscribed).
  bool publishing() const;
  // The snapshot as it would be sent now (also used by the tests of the snapshot's content).
  std::string snapshot_json();

 private:
  struct Timer;
  // On the first shard: publish, then again after the period while anyone watches.
  void publish_and_rearm();

  ServiceContext& context_;
  std::unique_ptr<Timer> timer_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::weak_ptr<ClientConnection>> subscribers_;
  bool running_ = false;  // the publishing loop is scheduled
  bool stopped_ = false;
  // The message counts (of the metrics counters) at the previous snapshot, for the rates.
  struct Counts {
    std::chrono::steady_clock::time_point taken;
    std::uint64_t in = 0;
    std::uint64_t out = 0;
  };
  std::mutex counts_mutex_;
  std::optional<Counts> last_counts_;
  // The rates since the previous call (nullopt at the first).
  std::optional<DashboardRates> rates();
};

}  // namespace switchboard::service
