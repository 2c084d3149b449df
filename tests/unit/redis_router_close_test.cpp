// Unit test of a cluster node's close of many connections (backplane/redis_router): once a close
// of a hub's or a group's connections returned, Redis no longer lists them (the node holding them
// forgets them before it acknowledges, in batches), whatever their transports are still doing;
// the excluded connection and the other hub's stay listed. The connections here only record their
// close and never end, so nothing else would take them out of Redis.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "backplane/redis_router.hpp"
#include "backplane/redis_scripts.hpp"
#include "exec/shard_pool.hpp"
#include "recording_connection.hpp"
#include "redis/redis_connection.hpp"
#include "redis_server_fixture.hpp"
#include "redis_test_io.hpp"

namespace switchboard::backplane {
namespace {

using switchboard::testing::await_on;
using switchboard::testing::RecordingConnection;
using switchboard::testing::wait_for;
using namespace std::chrono_literals;

TEST(RedisRouterClose, ManyClosedConnectionsAreGoneFromRedisOnceTheCloseReturned) {
  if (!switchboard::testing::RedisServer::available()) GTEST_SKIP() << "no redis-server";
  switchboard::testing::RedisServer redis;
  redis.start();
  exec::ShardPool pool(2);
  ClusterOptions options;
  options.node_id = "close-node";
  options.connect_timeout = 5s;
  RedisRouter router(options, *redis::parse_redis_url(redis.url(), nullptr), "http://127.0.0.1:1",
                     pool.shards());
  pool.start();
  router.start();
  // A client of our own to read what Redis lists (integers, as text to compare).
  switchboard::testing::IoThread home;
  auto reader = redis::Connection::create(home.io(), *redis::parse_redis_url(redis.url(), nullptr));
  reader->start();
  ASSERT_TRUE(wait_for([&] { return reader->connected(); }));
  auto listed = [&](const std::string& command, const std::string& key,
                    const std::string& field = {}) {
    std::vector<std::string> args{command, key};
    if (!field.empty()) args.push_back(field);
    return std::to_string(await_on(home.io(), reader->command(std::move(args))).integer);
  };
  auto run = [&](Task<void> task) {
    boost::asio::co_spawn(pool.first().io(), std::move(task), boost::asio::use_future).get();
  };
  std::vector<std::shared_ptr<RecordingConnection>> opened;
  auto open = [&](const std::string& id, const std::string& hub, unsigned shard) {
    auto connection = std::make_shared<RecordingConnection>(id, hub, "", shard);
    boost::asio::co_spawn(pool.shards()[shard]->io(), router.connection_opened(connection),
                          boost::asio::use_future)
        .get();
    opened.push_back(connection);
    return connection;
  };
  // More than two of the node's batches of forgotten ids (500), on both shards.
  constexpr int kMany = 1200;
  for (int i = 0; i < kMany; ++i) open("c" + std::to_string(i), "crowd", i % 2);
  auto other_hub = open("elsewhere", "quiet", 1);
  ASSERT_EQ(listed("HLEN", keys::connections("crowd")), std::to_string(kMany));

  run(router.close_all("crowd", {"c7"}, "closing the crowd"));
  EXPECT_EQ(listed("HLEN", keys::connections("crowd")), "1");
  EXPECT_EQ(listed("HEXISTS", keys::connections("crowd"), "c7"), "1");
  EXPECT_EQ(listed("HLEN", keys::connections("quiet")), "1");
  EXPECT_TRUE(wait_for([&] { return opened[1199]->closed(); }));
  EXPECT_EQ(opened[1199]->close_error(), "closing the crowd");
  EXPECT_FALSE(opened[7]->closed()) << "excluded";
  EXPECT_FALSE(other_hub->closed()) << "another hub";

  // A group's close: its members go from Redis at once too.
  for (int i = 0; i < 600; ++i) {
    const auto id = "g" + std::to_string(i);
    open(id, "team", i % 2);
    boost::asio::co_spawn(pool.first().io(), router.add_connection_to_group("team", id, "squad"),
                          boost::asio::use_future)
        .get();
  }
  open("bystander", "team", 0);
  run(router.close_group("team", "squad", {}, "closing the squad"));
  EXPECT_EQ(listed("HLEN", keys::connections("team")), "1");
  EXPECT_EQ(listed("HEXISTS", keys::connections("team"), "bystander"), "1");

  reader->stop();
  router.stop();
  pool.stop(0ms);
  pool.wait();
}

}  // namespace
}  // namespace switchboard::backplane
