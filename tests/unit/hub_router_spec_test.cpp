// The HubRouter specification: what every router must do, as typed tests over real shards (a
// running ShardPool) and recording connections. Every implementation is listed in RouterTypes;
// the in-process LocalRouter, and the RedisRouter of a cluster node on a real redis-server started
// on a free port for each test.
// Deliveries may arrive later than the call that caused them returns, so a test waits for a
// sentinel sent to a connection after the fact before it says what did not arrive.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <thread>

#include "backplane/local_router.hpp"
#include "backplane/redis_router.hpp"
#include "exec/shard_pool.hpp"
#include "recording_connection.hpp"
#include "redis_server_fixture.hpp"

namespace switchboard::backplane {
namespace {

using exec::ShardPool;
using switchboard::testing::RecordingConnection;
using switchboard::testing::tagged;
using switchboard::testing::wait_for;
using namespace std::chrono_literals;

// A router to test, with what it needs running (a redis-server for the Redis router).
struct RouterUnderTest {
  std::unique_ptr<switchboard::testing::RedisServer> redis;
  std::unique_ptr<HubRouter> router;
};

// The LocalRouter of a node with one shard (--threads 1), whose directory leaves the lookup of a
// user or a connection to that shard's index.
struct LocalRouterOnOneShard {};

template <typename Router>
RouterUnderTest make_router(const std::vector<exec::Shard*>& shards);
template <typename Router>
constexpr unsigned kShards = 2;
template <>
constexpr unsigned kShards<LocalRouterOnOneShard> = 1;

template <>
RouterUnderTest make_router<LocalRouterOnOneShard>(const std::vector<exec::Shard*>& shards) {
  return {nullptr, std::make_unique<LocalRouter>(shards)};
}

template <>
RouterUnderTest make_router<LocalRouter>(const std::vector<exec::Shard*>& shards) {
  return {nullptr, std::make_unique<LocalRouter>(shards)};
}

template <>
RouterUnderTest make_router<RedisRouter>(const std::vector<exec::Shard*>& shards) {
  RouterUnderTest made;
  made.redis = std::make_unique<switchboard::testing::RedisServer>();
  made.redis->start();
  ClusterOptions options;
  options.node_id = "spec-node";
  options.connect_timeout = 5s;
  auto url = redis::parse_redis_url(made.redis->url(), nullptr);
  made.router = std::make_unique<RedisRouter>(options, *url, "http://127.0.0.1:1", shards);
  return made;
}

template <typename Router>
class HubRouterSpec : public ::testing::Test {
 protected:
  HubRouterSpec() : pool_(kShards<Router>) {
    made_ = make_router<Router>(pool_.shards());
    router_ = std::move(made_.router);
    pool_.start();
    router_->start();
  }
  ~HubRouterSpec() override {
    router_->stop();
    pool_.stop(0ms);
    pool_.wait();
  }

  // Runs a router call on the first shard and waits for its result.
  template <typename T>
  T run(Task<T> task) {
    return boost::asio::co_spawn(pool_.first().io(), std::move(task), boost::asio::use_future)
        .get();
  }

  // A connection opened on shard `shard` (of as many as there are), as a transport opens it (on
  // that shard's thread).
  std::shared_ptr<RecordingConnection> open(const std::string& id, const std::string& hub,
                                            const std::string& user, unsigned shard = 0) {
    shard %= kShards<Router>;
    auto connection = std::make_shared<RecordingConnection>(id, hub, user, shard);
    boost::asio::co_spawn(pool_.shards()[shard]->io(), router_->connection_opened(connection),
                          boost::asio::use_future)
        .get();
    return connection;
  }
  void close(const std::shared_ptr<RecordingConnection>& connection) {
    on_shard(connection->shard(), [&] { router_->connection_closed(*connection); });
  }
  void on_shard(unsigned shard, const std::function<void()>& f) {
    std::promise<void> done;
    pool_.shards()[shard]->post([&] {
      f();
      done.set_value();
    });
    done.get_future().get();
  }

  // Everything delivered to `connections` before now has arrived.
  void settle(std::initializer_list<std::shared_ptr<RecordingConnection>> connections) {
    const std::string tag = "sentinel-" + std::to_string(++sentinels_);
    for (const auto& c : connections)
      run(router_->send_to_connection(c->hub(), c->id(), tagged(tag)));
    for (const auto& c : connections)
      ASSERT_TRUE(wait_for([&] { return c->has(tag); })) << c->id() << " got no sentinel";
  }

  ShardPool pool_;
  RouterUnderTest made_;  // the redis-server outlives the router
  std::unique_ptr<HubRouter> router_;
  int sentinels_ = 0;
};

using RouterTypes = ::testing::Types<LocalRouter, LocalRouterOnOneShard, RedisRouter>;
TYPED_TEST_SUITE(HubRouterSpec, RouterTypes);

TYPED_TEST(HubRouterSpec, SendToAllReachesTheHubButNotTheExcludedNorOtherHubs) {
  auto a = this->open("a", "chat", "alice", 0);
  auto b = this->open("b", "chat", "bob", 1);
  auto c = this->open("c", "other", "carol", 1);
  this->run(this->router_->send_to_all("chat", tagged("all"), {"b"}));
  this->settle({a, b, c});
  EXPECT_TRUE(a->has("all"));
  EXPECT_FALSE(b->has("all"));
  EXPECT_FALSE(c->has("all"));
}

TYPED_TEST(HubRouterSpec, SendToUserAndToConnection) {
  auto a1 = this->open("a1", "chat", "alice", 0);
  auto a2 = this->open("a2", "chat", "alice", 1);
  auto b = this->open("b", "chat", "bob", 0);
  auto other_hub = this->open("a3", "other", "alice", 1);
  this->run(this->router_->send_to_user("chat", "alice", tagged("user")));
  this->run(this->router_->send_to_connection("chat", "b", tagged("direct")));
  this->run(this->router_->send_to_connection("other", "b", tagged("wrong-hub")));
  this->settle({a1, a2, b, other_hub});
  EXPECT_TRUE(a1->has("user"));
  EXPECT_TRUE(a2->has("user"));
  EXPECT_FALSE(b->has("user"));
  EXPECT_FALSE(other_hub->has("user"));
  EXPECT_TRUE(b->has("direct"));
  EXPECT_FALSE(b->has("wrong-hub"));
}

TYPED_TEST(HubRouterSpec, NothingReachesAClosedConnection) {
  auto a = this->open("a", "chat", "alice", 0);
  auto a2 = this->open("a2", "chat", "alice", 1);
  auto b = this->open("b", "chat", "bob", 0);  // a's shard: settled once b has its sentinel
  EXPECT_TRUE(this->run(this->router_->close_connection("chat", "a", "bye")));
  this->run(this->router_->send_to_user("chat", "alice", tagged("after")));
  this->run(this->router_->send_to_connection("chat", "a", tagged("direct-after")));
  this->settle({a2, b});
  EXPECT_TRUE(wait_for([&] { return a->closed(); }));
  EXPECT_TRUE(a2->has("after"));
  EXPECT_FALSE(a->has("after"));
  EXPECT_FALSE(a->has("direct-after"));
}

TYPED_TEST(HubRouterSpec, ConnectionGroups) {
  auto a = this->open("a", "chat", "alice", 0);
  auto b = this->open("b", "chat", "bob", 1);
  EXPECT_TRUE(this->run(this->router_->add_connection_to_group("chat", "a", "g")));
  EXPECT_TRUE(this->run(this->router_->add_connection_to_group("chat", "b", "g")));
  EXPECT_FALSE(this->run(this->router_->add_connection_to_group("chat", "nobody", "g")));
  EXPECT_FALSE(this->run(this->router_->add_connection_to_group("other", "a", "g")));
  EXPECT_TRUE(this->run(this->router_->group_exists("chat", "g")));
  EXPECT_FALSE(this->run(this->router_->group_exists("other", "g")));
  this->run(this->router_->send_to_group("chat", "g", tagged("g1"), {"a"}));
  this->settle({a, b});
  EXPECT_FALSE(a->has("g1"));
  EXPECT_TRUE(b->has("g1"));

  EXPECT_TRUE(this->run(this->router_->remove_connection_from_group("chat", "b", "g")));
  EXPECT_FALSE(this->run(this->router_->remove_connection_from_group("chat", "nobody", "g")));
  this->run(this->router_->send_to_group("chat", "g", tagged("g2"), {}));
  this->settle({a, b});
  EXPECT_TRUE(a->has("g2"));
  EXPECT_FALSE(b->has("g2"));

  EXPECT_TRUE(this->run(this->router_->remove_connection_from_all_groups("chat", "a")));
  EXPECT_FALSE(this->run(this->router_->group_exists("chat", "g")));
  this->run(this->router_->send_to_group("chat", "g", tagged("g3"), {}));
  this->settle({a, b});
  EXPECT_FALSE(a->has("g3"));
}

TYPED_TEST(HubRouterSpec, UserGroupsApplyToCurrentAndFutureConnections) {
  auto a1 = this->open("a1", "chat", "alice", 0);
  this->run(this->router_->add_user_to_group("chat", "alice", "g", std::nullopt));
  EXPECT_TRUE(this->run(this->router_->user_in_group("chat", "alice", "g")));
  EXPECT_FALSE(this->run(this->router_->user_in_group("chat", "bob", "g")));
  auto a2 = this->open("a2", "chat", "alice", 1);  // joins the stored membership on opening
  this->run(this->router_->send_to_group("chat", "g", tagged("both"), {}));
  this->settle({a1, a2});
  EXPECT_TRUE(a1->has("both"));
  EXPECT_TRUE(a2->has("both"));

  this->run(this->router_->remove_user_from_group("chat", "alice", "g"));
  EXPECT_FALSE(this->run(this->router_->user_in_group("chat", "alice", "g")));
  this->run(this->router_->send_to_group("chat", "g", tagged("none"), {}));
  this->settle({a1, a2});
  EXPECT_FALSE(a1->has("none"));
  EXPECT_FALSE(a2->has("none"));

  this->run(this->router_->add_user_to_group("chat", "alice", "x", std::nullopt));
  this->run(this->router_->add_user_to_group("chat", "alice", "y", std::nullopt));
  this->run(this->router_->remove_user_from_all_groups("chat", "alice"));
  EXPECT_FALSE(this->run(this->router_->user_in_group("chat", "alice", "x")));
  EXPECT_FALSE(this->run(this->router_->user_in_group("chat", "alice", "y")));
}

TYPED_TEST(HubRouterSpec, TtlZeroJoinsOnlyTheCurrentConnections) {
  auto a1 = this->open("a1", "chat", "alice", 0);
  this->run(this->router_->add_user_to_group("chat", "alice", "g", std::chrono::seconds(0)));
  auto a2 = this->open("a2", "chat", "alice", 1);
  this->run(this->router_->send_to_group("chat", "g", tagged("now"), {}));
  this->settle({a1, a2});
  EXPECT_TRUE(a1->has("now"));
  EXPECT_FALSE(a2->has("now"));
}

TYPED_TEST(HubRouterSpec, TtlExpiresTheMembershipAndTheConnectionsLeave) {
  auto a = this->open("a", "chat", "alice", 0);
  this->run(this->router_->add_user_to_group("chat", "alice", "g", std::chrono::seconds(1)));
  EXPECT_TRUE(this->run(this->router_->user_in_group("chat", "alice", "g")));
  EXPECT_TRUE(
      wait_for([&] { return !this->run(this->router_->user_in_group("chat", "alice", "g")); }, 4s));
  this->run(this->router_->send_to_group("chat", "g", tagged("late"), {}));
  this->settle({a});
  EXPECT_FALSE(a->has("late"));
}

TYPED_TEST(HubRouterSpec, OnlyTheHundredMostRecentPermanentGroupsOfAUserAreKept) {
  for (int i = 0; i <= 100; ++i) {
    this->run(
        this->router_->add_user_to_group("chat", "alice", "g" + std::to_string(i), std::nullopt));
    std::this_thread::sleep_for(1ms);  // distinct update times
  }
  EXPECT_FALSE(this->run(this->router_->user_in_group("chat", "alice", "g0")));
  EXPECT_TRUE(this->run(this->router_->user_in_group("chat", "alice", "g1")));
  EXPECT_TRUE(this->run(this->router_->user_in_group("chat", "alice", "g100")));
  // A membership with a ttl does not count among the hundred.
  this->run(this->router_->add_user_to_group("chat", "alice", "t", std::chrono::seconds(60)));
  EXPECT_TRUE(this->run(this->router_->user_in_group("chat", "alice", "g1")));
}

TYPED_TEST(HubRouterSpec, ExistenceFollowsOpensAndCloses) {
  auto a = this->open("a", "chat", "alice", 1);
  EXPECT_TRUE(this->run(this->router_->connection_exists("chat", "a")));
  EXPECT_FALSE(this->run(this->router_->connection_exists("other", "a")));
  EXPECT_TRUE(this->run(this->router_->user_exists("chat", "alice")));
  EXPECT_FALSE(this->run(this->router_->user_exists("chat", "bob")));
  this->close(a);
  EXPECT_FALSE(this->run(this->router_->connection_exists("chat", "a")));
  EXPECT_FALSE(this->run(this->router_->user_exists("chat", "alice")));
}

TYPED_TEST(HubRouterSpec, ClosesReachTheirConnectionsWithTheReason) {
  auto a = this->open("a", "chat", "alice", 0);
  auto b = this->open("b", "chat", "bob", 1);
  auto c = this->open("c", "chat", "carol", 0);
  auto d = this->open("d", "chat", "dave", 1);
  auto e = this->open("e", "other", "erin", 0);
  EXPECT_FALSE(this->run(this->router_->close_connection("chat", "nobody", "x")));
  EXPECT_TRUE(this->run(this->router_->close_connection("chat", "a", "bye a")));
  EXPECT_TRUE(wait_for([&] { return a->closed(); }));
  EXPECT_EQ(a->close_error(), "bye a");
  // A closed connection is gone from the directory at once.
  EXPECT_FALSE(this->run(this->router_->connection_exists("chat", "a")));

  EXPECT_TRUE(this->run(this->router_->add_connection_to_group("chat", "b", "g")));
  this->run(this->router_->close_group("chat", "g", {}, "bye group"));
  EXPECT_TRUE(wait_for([&] { return b->closed(); }));
  EXPECT_EQ(b->close_error(), "bye group");

  this->run(this->router_->close_user("chat", "carol", {"c"}, "bye carol"));
  this->run(this->router_->close_all("chat", {"c"}, "bye all"));
  EXPECT_TRUE(wait_for([&] { return d->closed(); }));
  EXPECT_EQ(d->close_error(), "bye all");
  this->settle({c, e});
  EXPECT_FALSE(c->closed()) << "excluded";
  EXPECT_FALSE(e->closed()) << "another hub";
}

}  // namespace
}  // namespace switchboard::backplane
