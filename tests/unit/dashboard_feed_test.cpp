// Unit tests for the dashboard's publishing loop (service/dashboard_feed) on real shards and the
// in-process router: a subscriber gets a snapshot and then more; the loop runs only while
// someone is subscribed (nobody watching costs nothing); at most kMaxDashboards subscribers; none
// after stop().
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "backplane/router_factory.hpp"
#include "exec/shard_pool.hpp"
#include "service/dashboard_feed.hpp"

namespace switchboard::service {
namespace {

using namespace std::chrono_literals;

// A dashboard's connection as the feed sees it: records the frames it is sent.
class RecordingConnection final : public ClientConnection {
 public:
  RecordingConnection(std::string id, unsigned shard)
      : ClientConnection(std::move(id), "_dashboard", "", shard) {}
  void send(const MessagePtr& message) override {
    std::lock_guard lock(mutex_);
    frames_.emplace_back(message->frame(HubProtocol::Json));
  }
  void flush_deferred() override {}
  void close(std::string_view, bool) override {}
  void tick(Clock::time_point) override {}
  std::vector<std::string> frames() const {
    std::lock_guard lock(mutex_);
    return frames_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> frames_;
};

template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds within = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return predicate();
}

class DashboardFeedTest : public ::testing::Test {
 protected:
  DashboardFeedTest() : pool_(2) {
    context_.shards = pool_.shards();
    context_.router = backplane::make_hub_router({}, context_.shards);
    context_.options.recent_errors = std::make_shared<RecentErrors>();
    feed_ = std::make_shared<DashboardFeed>(context_);
    pool_.start();
  }
  ~DashboardFeedTest() override {
    feed_->stop();
    pool_.stop(0ms);
    pool_.wait();
  }

  exec::ShardPool pool_;
  ServiceContext context_;
  std::shared_ptr<DashboardFeed> feed_;
};

TEST_F(DashboardFeedTest, NoLoopWhileNobodyWatches) {
  std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(feed_->publishing());
  EXPECT_EQ(feed_->subscribers(), 0u);
}

TEST_F(DashboardFeedTest, ASubscriberGetsSnapshotsUntilItLeavesThenTheLoopEnds) {
  context_.options.recent_errors->add({std::chrono::system_clock::now(), "error", "it broke"});
  auto watcher = std::make_shared<RecordingConnection>("d1", 1);
  EXPECT_EQ(feed_->subscribe(watcher), "");
  EXPECT_TRUE(feed_->publishing());
  ASSERT_TRUE(eventually([&] { return watcher->frames().size() >= 1; })) << "a first snapshot";
  const auto first = watcher->frames().front();
  EXPECT_NE(first.find("\"target\":\"snapshot\""), std::string::npos) << first;
  EXPECT_NE(first.find("\"totals\""), std::string::npos) << first;
  EXPECT_NE(first.find("it broke"), std::string::npos) << first;
  ASSERT_TRUE(eventually([&] { return watcher->frames().size() >= 2; })) << "a second snapshot";

  feed_->unsubscribe("d1");
  ASSERT_TRUE(eventually([&] { return !feed_->publishing(); })) << "the loop ends";
  const auto count = watcher->frames().size();
  std::this_thread::sleep_for(DashboardFeed::kPeriod + 200ms);
  EXPECT_EQ(watcher->frames().size(), count) << "nothing after leaving";
}

TEST_F(DashboardFeedTest, AConnectionThatIsGoneStopsTheLoopToo) {
  auto watcher = std::make_shared<RecordingConnection>("d1", 0);
  EXPECT_EQ(feed_->subscribe(watcher), "");
  ASSERT_TRUE(eventually([&] { return !watcher->frames().empty(); }));
  watcher.reset();  // ended without unsubscribing
  ASSERT_TRUE(eventually([&] { return !feed_->publishing(); }));
  EXPECT_EQ(feed_->subscribers(), 0u);
}

TEST_F(DashboardFeedTest, TheLoopRestartsForANewSubscriber) {
  auto a = std::make_shared<RecordingConnection>("a", 0);
  EXPECT_EQ(feed_->subscribe(a), "");
  ASSERT_TRUE(eventually([&] { return !a->frames().empty(); }));
  feed_->unsubscribe("a");
  ASSERT_TRUE(eventually([&] { return !feed_->publishing(); }));
  auto b = std::make_shared<RecordingConnection>("b", 1);
  EXPECT_EQ(feed_->subscribe(b), "");
  EXPECT_TRUE(feed_->publishing());
  ASSERT_TRUE(eventually([&] { return b->frames().size() >= 2; }));
}

TEST_F(DashboardFeedTest, AtMostTheLimitOfDashboards) {
  std::vector<std::shared_ptr<RecordingConnection>> watchers;
  for (std::size_t i = 0; i < DashboardFeed::kMaxDashboards; ++i) {
    watchers.push_back(std::make_shared<RecordingConnection>("d" + std::to_string(i), 0));
    EXPECT_EQ(feed_->subscribe(watchers.back()), "") << i;
  }
  auto extra = std::make_shared<RecordingConnection>("extra", 0);
  EXPECT_EQ(feed_->subscribe(extra), "Too many dashboards are open on this node (at most 16).");
  feed_->unsubscribe("d0");
  EXPECT_EQ(feed_->subscribe(extra), "");
}

TEST_F(DashboardFeedTest, NothingAfterStop) {
  feed_->stop();
  auto watcher = std::make_shared<RecordingConnection>("d1", 0);
  EXPECT_EQ(feed_->subscribe(watcher), "The service is shutting down.");
  EXPECT_FALSE(eventually([&] { return !watcher->frames().empty(); }, 200ms));
}

}  // namespace
}  // namespace switchboard::service
