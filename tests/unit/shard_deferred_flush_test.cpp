// Unit tests for the shard's deferred flushes (corking): every connection that asked is flushed
// once, after the handlers already queued; a long list is flushed in slices with other work let
// in between; slices grow while nothing else runs and shrink when something did; a connection
// that asks again while the list runs is flushed again.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "exec/shard.hpp"

namespace {

using switchboard::exec::Flushable;
using switchboard::exec::Shard;

// Records the order of events shared by every connection of a test.
struct Journal {
  std::vector<std::string> events;
};

class CountingConnection final : public Flushable {
 public:
  CountingConnection(std::string id, Journal& journal) : id_(std::move(id)), journal_(journal) {}
  void flush_deferred() override {
    ++flushes;
    journal_.events.push_back("flush " + id_);
    if (on_flush) on_flush();
  }
  int flushes = 0;
  std::function<void()> on_flush;

 private:
  std::string id_;
  Journal& journal_;
};

TEST(ShardDeferredFlush, FlushesOnceAfterTheHandlersAlreadyQueued) {
  Shard shard(0);
  Journal journal;
  auto a = std::make_shared<CountingConnection>("a", journal);
  auto b = std::make_shared<CountingConnection>("b", journal);
  shard.post([&] {
    // A burst of sends to both connections: one flush for both, after what was queued before
    // the burst began.
    shard.post([&] { journal.events.push_back("queued before"); });
    shard.defer_flush(a);
    shard.post([&] { journal.events.push_back("queued after"); });
    shard.defer_flush(b);
  });
  shard.io().run();
  EXPECT_EQ(journal.events,
            (std::vector<std::string>{"queued before", "flush a", "flush b", "queued after"}));
  EXPECT_EQ(a->flushes, 1);
  EXPECT_EQ(b->flushes, 1);
}

TEST(ShardDeferredFlush, LongListsAreFlushedInSlicesWithOtherWorkBetween) {
  Shard shard(0);
  Journal journal;
  std::vector<std::shared_ptr<CountingConnection>> connections;
  for (int i = 0; i < 200; ++i)
    connections.push_back(std::make_shared<CountingConnection>(std::to_string(i), journal));
  // The first flush lets in a handler posted meanwhile (standing in for a REST call that arrives
  // during a long fan-out): it must run before the last connections are flushed.
  connections[0]->on_flush = [&] { shard.post([&] { journal.events.push_back("request"); }); };
  shard.post([&] {
    for (auto& connection : connections) shard.defer_flush(connection);
  });
  shard.io().run();
  ASSERT_EQ(journal.events.size(), 201u);
  auto request = std::find(journal.events.begin(), journal.events.end(), "request");
  ASSERT_NE(request, journal.events.end());
  const auto position = request - journal.events.begin();
  EXPECT_GT(position, 0);
  EXPECT_LT(position, 200) << "the request waited for the whole list";
  for (auto& connection : connections) EXPECT_EQ(connection->flushes, 1);
}

// The slice each connection was flushed in, with Shard::run() counting the handlers.
std::vector<std::size_t> slices_seen(Shard& shard, std::size_t count, std::size_t busy_at) {
  Journal journal;
  std::vector<std::size_t> seen(count, 0);
  std::vector<std::shared_ptr<CountingConnection>> connections;
  for (std::size_t i = 0; i < count; ++i) {
    connections.push_back(std::make_shared<CountingConnection>(std::to_string(i), journal));
    connections.back()->on_flush = [&shard, &seen, i, count, busy_at] {
      seen[i] = shard.flush_slice();
      // Other work arriving during the fan-out (a REST call): it runs at the next poll.
      if (i == busy_at) shard.post([] {});
      if (i + 1 == count) shard.post([&shard] { shard.io().stop(); });
    };
  }
  shard.post([&] {
    for (auto& connection : connections) shard.defer_flush(connection);
  });
  shard.run();
  return seen;
}

TEST(ShardDeferredFlush, SlicesGrowWhileNothingElseRuns) {
  Shard shard(0);
  const auto seen = slices_seen(shard, 200, 1000);
  // 8, 16, 32, then 64 at most: a burst with nothing arriving costs few polls.
  EXPECT_EQ(seen[0], Shard::kFlushSlice);
  EXPECT_EQ(seen[7], 8u);
  EXPECT_EQ(seen[8], 16u);
  EXPECT_EQ(seen[23], 16u);
  EXPECT_EQ(seen[24], 32u);
  EXPECT_EQ(seen[56], 64u);
  EXPECT_EQ(seen[199], Shard::kMaxFlushSlice);
}

TEST(ShardDeferredFlush, SlicesFallBackWhenOtherWorkRanBetween) {
  Shard shard(0);
  // Connection 30 (in the third slice, 24..55) lets a handler in: the slice after is short again.
  const auto seen = slices_seen(shard, 200, 30);
  EXPECT_EQ(seen[30], 32u);
  EXPECT_EQ(seen[56], Shard::kFlushSlice);
  EXPECT_EQ(seen[63], 8u);
  EXPECT_EQ(seen[64], 16u);
}

TEST(ShardDeferredFlush, AConnectionDeferredAgainDuringTheRunIsFlushedAgain) {
  Shard shard(0);
  Journal journal;
  auto a = std::make_shared<CountingConnection>("a", journal);
  bool again = true;
  a->on_flush = [&] {
    if (std::exchange(again, false)) shard.defer_flush(a);
  };
  shard.post([&] { shard.defer_flush(a); });
  shard.io().run();
  EXPECT_EQ(a->flushes, 2);
}

}  // namespace
