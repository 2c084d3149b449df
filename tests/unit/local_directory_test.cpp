// Unit tests of a node's directory (backplane/local_directory) through the LocalRouter, on a
// running pool of more shards than the 64 a user send marks in one word: a user's connections on
// shards past 64 (and before) get the send, another user's do not.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>

#include "backplane/local_router.hpp"
#include "exec/shard_pool.hpp"
#include "recording_connection.hpp"
#include "redis_server_fixture.hpp"  // testing::wait_for

namespace switchboard::backplane {
namespace {

using switchboard::testing::RecordingConnection;
using switchboard::testing::tagged;
using switchboard::testing::wait_for;
using namespace std::chrono_literals;

TEST(LocalDirectory, UserSendReachesShardsBeyondSixtyFour) {
  constexpr unsigned kShards = 70;
  exec::ShardPool pool(kShards);
  LocalRouter router(pool.shards());
  pool.start();
  router.start();
  auto open = [&](const std::string& id, const std::string& user, unsigned shard) {
    auto connection = std::make_shared<RecordingConnection>(id, "chat", user, shard);
    boost::asio::co_spawn(pool.shards()[shard]->io(), router.connection_opened(connection),
                          boost::asio::use_future)
        .get();
    return connection;
  };
  auto send = [&](const std::string& user, const std::string& tag) {
    boost::asio::co_spawn(pool.first().io(), router.send_to_user("chat", user, tagged(tag)),
                          boost::asio::use_future)
        .get();
  };
  auto low = open("low", "alice", 3);
  auto at_64 = open("at64", "alice", 64);
  auto last = open("last", "alice", kShards - 1);
  auto bob_high = open("bob-high", "bob", 66);
  auto bob_low = open("bob-low", "bob", 5);

  send("alice", "for-alice");
  send("bob", "for-bob");
  // A sentinel after the sends, on each connection's own shard: once it is in, so is everything
  // sent to that shard before it.
  const auto all = {low, at_64, last, bob_high, bob_low};
  for (const auto& c : all) {
    boost::asio::co_spawn(pool.first().io(),
                          router.send_to_connection("chat", c->id(), tagged("sentinel")),
                          boost::asio::use_future)
        .get();
  }
  for (const auto& c : all) ASSERT_TRUE(wait_for([&] { return c->has("sentinel"); })) << c->id();
  for (const auto& c : {low, at_64, last}) {
    EXPECT_TRUE(c->has("for-alice")) << c->id();
    EXPECT_FALSE(c->has("for-bob")) << c->id();
  }
  for (const auto& c : {bob_high, bob_low}) {
    EXPECT_TRUE(c->has("for-bob")) << c->id();
    EXPECT_FALSE(c->has("for-alice")) << c->id();
  }
  for (const auto& c : all) EXPECT_EQ(c->received().size(), 2u) << c->id();

  router.stop();
  pool.stop(0ms);
  pool.wait();
}

}  // namespace
}  // namespace switchboard::backplane
