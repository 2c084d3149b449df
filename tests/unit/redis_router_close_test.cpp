// Unit test of a cluster node's close of many connections (backplane/redis_router): once a close
// of a hub's or a group's connections returned, Redis no longer lists them (the node holding them
// forgets them before it acknowledges, in batches), whatever their transports are still doing;
// the excluded connection and the other hub's stay listed. The connections here only record their
// close and never end, so nothing else would take them out of Redis.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "backplane/redis_router.hpp"
#include "backplane/redis_scripts.hpp"
#include "exec/shard_pool.hpp"
#include "recording_connection.hpp"
#include "redis_server_fixture.hpp"

namespace switchboard::backplane {
namespace {

using switchboard::testing::eventually;
using switchboard::testing::RecordingConnection;
using namespace std::chrono_literals;

// What redis-cli prints for one command against `server` (trailing newline removed).
std::string redis_cli(const switchboard::testing::RedisServer& server, const std::string& command) {
  const std::string line =
      "redis-cli -h 127.0.0.1 -p " + std::to_string(server.port()) + " " + command + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(line.c_str(), "r"), ::pclose);
  std::string out;
  char buffer[256];
  while (pipe && std::fgets(buffer, sizeof buffer, pipe.get())) out += buffer;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

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
  ASSERT_EQ(redis_cli(redis, "HLEN " + keys::connections("crowd")), std::to_string(kMany));

  run(router.close_all("crowd", {"c7"}, "closing the crowd"));
  EXPECT_EQ(redis_cli(redis, "HLEN " + keys::connections("crowd")), "1");
  EXPECT_EQ(redis_cli(redis, "HEXISTS " + keys::connections("crowd") + " c7"), "1");
  EXPECT_EQ(redis_cli(redis, "HLEN " + keys::connections("quiet")), "1");
  EXPECT_TRUE(eventually([&] { return opened[1199]->closed(); }));
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
  EXPECT_EQ(redis_cli(redis, "HLEN " + keys::connections("team")), "1");
  EXPECT_EQ(redis_cli(redis, "HEXISTS " + keys::connections("team") + " bystander"), "1");

  router.stop();
  pool.stop(0ms);
  pool.wait();
}

}  // namespace
}  // namespace switchboard::backplane
