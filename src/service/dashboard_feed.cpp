// The dashboard's publishing loop: see dashboard_feed.hpp.
#include "service/dashboard_feed.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/steady_timer.hpp>
#include <vector>

namespace switchboard::service {

struct DashboardFeed::Timer {
  explicit Timer(boost::asio::io_context& io) : timer(io) {}
  boost::asio::steady_timer timer;
};

DashboardFeed::DashboardFeed(ServiceContext& context)
    : context_(context), timer_(std::make_unique<Timer>(context.shards.front()->io())) {}

DashboardFeed::~DashboardFeed() = default;

std::string DashboardFeed::subscribe(const std::shared_ptr<ClientConnection>& connection) {
  bool start = false;
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return "The service is shutting down.";
    if (subscribers_.size() >= kMaxDashboards)
      return "Too many dashboards are open on this node (at most " +
             std::to_string(kMaxDashboards) + ").";
    subscribers_[connection->id()] = connection;
    start = !running_;
    running_ = true;
  }
  spdlog::debug("dashboard {} connected", connection->id());
  // A new dashboard gets its first snapshot now: once the loop is running it is published on
  // the loop's next turn (at most a period away), so the loop is kicked for it.
  context_.shards.front()->post([weak = weak_from_this(), start] {
    auto self = weak.lock();
    if (!self) return;
    if (start) {
      self->publish_and_rearm();
    } else {
      self->timer_->timer.cancel();  // the waiting turn runs now and rearms
    }
  });
  return {};
}

void DashboardFeed::unsubscribe(const std::string& connection_id) {
  std::lock_guard lock(mutex_);
  subscribers_.erase(connection_id);
}

void DashboardFeed::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    subscribers_.clear();
  }
  context_.shards.front()->post([weak = weak_from_this()] {
    if (auto self = weak.lock()) self->timer_->timer.cancel();
  });
}

std::size_t DashboardFeed::subscribers() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

bool DashboardFeed::publishing() const {
  std::lock_guard lock(mutex_);
  return running_;
}

std::optional<DashboardRates> DashboardFeed::rates() {
  if (!context_.metrics) return std::nullopt;
  // Read from the metrics counters (summed over the shards), not counted again here. The
  // dashboards' own hub is not in them (Service makes it an unlabelled hub), so watching does
  // not show up as traffic.
  const auto snapshot = context_.metrics->snapshot();
  Counts now{snapshot.taken};
  for (const auto& [hub, totals] : snapshot.hubs) {
    for (std::size_t p = 0; p < metrics::kProtocols; ++p) {
      now.in += totals.messages_received[p];
      now.out += totals.messages_sent[p];
    }
  }
  std::lock_guard lock(counts_mutex_);
  std::optional<DashboardRates> rates;
  if (last_counts_) {
    const double seconds = std::chrono::duration<double>(now.taken - last_counts_->taken).count();
    // (A previous count from before a pause in watching would give an average, not a rate.)
    if (seconds > 0 && seconds < 5 * std::chrono::duration<double>(kPeriod).count())
      rates = DashboardRates{static_cast<double>(now.in - last_counts_->in) / seconds,
                             static_cast<double>(now.out - last_counts_->out) / seconds};
  }
  last_counts_ = now;
  return rates;
}

std::string DashboardFeed::snapshot_json() {
  DashboardInputs inputs;
  inputs.now = std::chrono::system_clock::now();
  auto& router = *context_.router;
  auto status = router.status();
  if (status.clustered) inputs.node_id = status.node_id;
  inputs.connections = router.local().snapshot();
  inputs.rates = rates();
  if (const auto& recent = context_.options.recent_errors) {
    inputs.errors = recent->lines();
    inputs.errors_total = recent->total();
  }
  return dashboard_snapshot_json(std::move(inputs));
}

void DashboardFeed::publish_and_rearm() {
  std::vector<std::shared_ptr<ClientConnection>> targets;
  {
    std::lock_guard lock(mutex_);
    if (stopped_ || subscribers_.empty()) {
      running_ = false;  // nobody watches: the loop ends here, the next subscriber restarts it
      return;
    }
    for (auto it = subscribers_.begin(); it != subscribers_.end();) {
      if (auto connection = it->second.lock()) {
        targets.push_back(std::move(connection));
        ++it;
      } else {
        it = subscribers_.erase(it);
      }
    }
  }
  if (!targets.empty()) {
    auto message = OutboundMessage::invocation("snapshot", "[" + snapshot_json() + "]");
    for (auto& connection : targets)
      context_.shards[connection->shard()]->post(
          [connection, message] { connection->send(message); });
  }
  timer_->timer.expires_after(kPeriod);
  // (Weak: the service owns the feed; a wait left when the threads stop must not keep it.)
  timer_->timer.async_wait([weak = weak_from_this()](boost::system::error_code) {
    // Cancelled or expired alike: a cancel (a new dashboard) means "publish now"; stop() is
    // seen under the lock.
    if (auto self = weak.lock()) self->publish_and_rearm();
  });
}

}  // namespace switchboard::service
