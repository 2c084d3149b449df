// Unit tests for redis::Connection against a real redis-server started by the test: every reply
// type, binary-safe arguments, command order (1000 un-awaited commands from one thread, a 1000
// command pipeline, several threads), AUTH (right and wrong password) and SELECT, EVALSHA with the
// NOSCRIPT fallback, Unavailable while the server is down, killed (then restarted on the same
// port) or stopped (SIGSTOP, command timeout), and stop() with commands pending.
#include <utility>  // before Asio's coroutine headers (g++ 12 + Boost 1.74)

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "redis/redis_connection.hpp"
#include "redis_server_fixture.hpp"
#include "redis_test_io.hpp"

namespace {

using namespace std::chrono_literals;
using switchboard::redis::Connection;
using switchboard::redis::ConnectionOptions;
using switchboard::redis::parse_redis_url;
using switchboard::redis::Reply;
using switchboard::redis::Script;
using switchboard::redis::Unavailable;
using switchboard::testing::await_on;
using switchboard::testing::IoThread;
using switchboard::testing::RedisServer;
using switchboard::testing::wait_for;

class RedisConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisServer::available()) GTEST_SKIP() << "redis-server is not on PATH";
  }
  void TearDown() override {
    for (auto& connection : connections) connection->stop();
  }

  std::shared_ptr<Connection> connect(const std::string& text, ConnectionOptions options = {}) {
    std::string error;
    auto url = parse_redis_url(text, &error);
    EXPECT_TRUE(url) << error;
    auto connection =
        Connection::create(home.io(), url.value_or(switchboard::redis::RedisUrl{}), options);
    connection->on_state([this](bool up, const std::string& detail) {
      std::lock_guard lock(mutex);
      states.emplace_back(up, detail);
    });
    connection->start();
    connections.push_back(connection);
    return connection;
  }

  std::shared_ptr<Connection> connect_up(const std::string& text, ConnectionOptions options = {}) {
    auto connection = connect(text, options);
    EXPECT_TRUE(wait_for([&] { return connection->connected(); })) << "not connected to " << text;
    return connection;
  }

  Reply run(const std::shared_ptr<Connection>& connection, std::vector<std::string> args) {
    return await_on(caller.io(), connection->command(std::move(args)));
  }

  // Whether the state handler saw `up` after it saw `after` (in that order).
  bool saw(bool first, bool then) {
    std::lock_guard lock(mutex);
    for (std::size_t i = 0; i < states.size(); ++i)
      if (states[i].first == first)
        for (std::size_t j = i + 1; j < states.size(); ++j)
          if (states[j].first == then) return true;
    return false;
  }

  bool saw_down_with(const std::string& text) {
    std::lock_guard lock(mutex);
    for (const auto& [up, detail] : states)
      if (!up && detail.find(text) != std::string::npos) return true;
    return false;
  }

  long long blocked_clients(const std::shared_ptr<Connection>& observer) {
    auto info = run(observer, {"INFO", "clients"}).str;
    auto at = info.find("blocked_clients:");
    return at == std::string::npos ? -1 : std::stoll(info.substr(at + 16));
  }

  std::mutex mutex;
  std::vector<std::pair<bool, std::string>> states;
  RedisServer server;
  IoThread home;
  IoThread caller;
  std::vector<std::shared_ptr<Connection>> connections;
};

TEST_F(RedisConnectionTest, EveryReplyType) {
  server.start();
  auto redis = connect_up(server.url());

  auto pong = run(redis, {"PING"});
  EXPECT_EQ(pong.type, Reply::Type::Status);
  EXPECT_EQ(pong.str, "PONG");
  EXPECT_EQ(run(redis, {"SET", "k", "v"}).str, "OK");
  auto value = run(redis, {"GET", "k"});
  EXPECT_EQ(value.type, Reply::Type::String);
  EXPECT_EQ(value.str, "v");
  EXPECT_TRUE(run(redis, {"GET", "missing"}).is_nil());
  auto counter = run(redis, {"INCRBY", "n", "41"});
  EXPECT_EQ(counter.type, Reply::Type::Integer);
  EXPECT_EQ(counter.integer, 41);
  auto error = run(redis, {"NOSUCHCOMMAND"});
  EXPECT_TRUE(error.is_error());
  EXPECT_NE(error.str.find("unknown command"), std::string::npos) << error.str;
  auto wrong_type = run(redis, {"INCR", "k"});
  EXPECT_TRUE(wrong_type.is_error());

  auto values = run(redis, {"MGET", "k", "missing"});
  ASSERT_EQ(values.type, Reply::Type::Array);
  ASSERT_EQ(values.elements.size(), 2u);
  EXPECT_EQ(values.elements[0].str, "v");
  EXPECT_TRUE(values.elements[1].is_nil());

  auto nested = run(redis, {"EVAL", "return {1, 'two', {3, 'four'}, false}", "0"});
  ASSERT_EQ(nested.type, Reply::Type::Array);
  ASSERT_EQ(nested.elements.size(), 4u);
  EXPECT_EQ(nested.elements[0].integer, 1);
  EXPECT_EQ(nested.elements[1].str, "two");
  ASSERT_EQ(nested.elements[2].type, Reply::Type::Array);
  EXPECT_EQ(nested.elements[2].elements[1].str, "four");
  EXPECT_TRUE(nested.elements[3].is_nil());
  auto empty = run(redis, {"LRANGE", "nolist", "0", "-1"});
  EXPECT_EQ(empty.type, Reply::Type::Array);
  EXPECT_TRUE(empty.elements.empty());
}

TEST_F(RedisConnectionTest, BinaryArgumentsAndRepliesKeepTheirNuls) {
  server.start();
  auto redis = connect_up(server.url());
  std::string key("key\0with\0nuls", 13);
  std::string payload;
  for (int i = 0; i < 256; ++i) payload.push_back(static_cast<char>(i));
  payload += std::string(3, '\0');
  EXPECT_EQ(run(redis, {"SET", key, payload}).str, "OK");
  auto back = run(redis, {"GET", key});
  EXPECT_EQ(back.str, payload);
  EXPECT_EQ(run(redis, {"STRLEN", key}).integer, static_cast<long long>(payload.size()));
  EXPECT_TRUE(run(redis, {"GET", std::string("key\0with", 8)}).is_nil());
}

TEST_F(RedisConnectionTest, UnawaitedCommandsFromOneThreadKeepTheirOrder) {
  server.start();
  auto redis = connect_up(server.url());
  constexpr int kCount = 1000;
  std::vector<long long> results(kCount, -1);
  std::atomic<int> answered{0};
  std::promise<void> all;
  // All started from the caller thread, none awaited before the next is sent.
  auto one = [redis, &results, &answered, &all](int i) -> boost::asio::awaitable<void> {
    std::vector<std::string> incr{"INCR", "order"};  // g++ 12: no temporaries in co_await
    auto operation = redis->command(std::move(incr));
    auto reply = co_await std::move(operation);
    results[i] = reply.integer;
    if (++answered == kCount) all.set_value();
  };
  boost::asio::post(caller.io(), [&] {
    for (int i = 0; i < kCount; ++i)
      boost::asio::co_spawn(caller.io(), one(i), boost::asio::detached);
  });
  ASSERT_EQ(all.get_future().wait_for(10s), std::future_status::ready);
  for (int i = 0; i < kCount; ++i) ASSERT_EQ(results[i], i + 1) << "at " << i;
}

TEST_F(RedisConnectionTest, PipelineRepliesInOrder) {
  server.start();
  auto redis = connect_up(server.url());
  std::vector<std::vector<std::string>> commands;
  for (int i = 0; i < 1000; ++i) commands.push_back({"INCR", "pipelined"});
  commands.push_back({"GET", "pipelined"});
  auto replies = await_on(caller.io(), redis->pipeline(commands));
  ASSERT_EQ(replies.size(), 1001u);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(replies[i].integer, i + 1);
  EXPECT_EQ(replies[1000].str, "1000");
}

TEST_F(RedisConnectionTest, CommandsFromSeveralThreadsAreAllAnswered) {
  server.start();
  auto redis = connect_up(server.url());
  constexpr int kThreads = 4;
  constexpr int kEach = 250;
  std::vector<std::unique_ptr<IoThread>> threads;
  std::vector<std::future<std::vector<long long>>> results;
  for (int t = 0; t < kThreads; ++t) {
    threads.push_back(std::make_unique<IoThread>());
    results.push_back(boost::asio::co_spawn(
        threads.back()->io(),
        [redis]() -> boost::asio::awaitable<std::vector<long long>> {
          std::vector<long long> seen;
          for (int i = 0; i < kEach; ++i) {
            std::vector<std::string> incr{"INCR", "shared"};
            auto operation = redis->command(std::move(incr));
            auto reply = co_await std::move(operation);
            seen.push_back(reply.integer);
          }
          co_return seen;
        },
        boost::asio::use_future));
  }
  for (auto& result : results) {
    ASSERT_EQ(result.wait_for(10s), std::future_status::ready);
    auto seen = result.get();
    ASSERT_EQ(seen.size(), static_cast<std::size_t>(kEach));
    for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_LT(seen[i - 1], seen[i]);
  }
  EXPECT_EQ(run(redis, {"GET", "shared"}).str, std::to_string(kThreads * kEach));
}

TEST(RedisConnectionAuth, PasswordAndDatabase) {
  if (!RedisServer::available()) GTEST_SKIP() << "redis-server is not on PATH";
  RedisServer server("p@ss:w/rd");
  server.start();
  IoThread home;
  IoThread caller;
  std::string base = "127.0.0.1:" + std::to_string(server.port());
  auto in_db3 = Connection::create(
      home.io(), *parse_redis_url("redis://:p%40ss%3Aw%2Frd@" + base + "/3", nullptr));
  auto as_default = Connection::create(
      home.io(), *parse_redis_url("redis://default:p%40ss%3Aw%2Frd@" + base, nullptr));
  in_db3->start();
  as_default->start();
  ASSERT_TRUE(wait_for([&] { return in_db3->connected() && as_default->connected(); }));
  EXPECT_EQ(await_on(caller.io(), in_db3->command({"SET", "where", "db3"})).str, "OK");
  EXPECT_NE(await_on(caller.io(), in_db3->command({"CLIENT", "INFO"})).str.find(" db=3 "),
            std::string::npos);
  EXPECT_TRUE(await_on(caller.io(), as_default->command({"GET", "where"})).is_nil());
  EXPECT_EQ(await_on(caller.io(), as_default->command({"SELECT", "3"})).str, "OK");
  EXPECT_EQ(await_on(caller.io(), as_default->command({"GET", "where"})).str, "db3");
  in_db3->stop();
  as_default->stop();
}

TEST(RedisConnectionAuth, WrongPasswordIsReportedDown) {
  if (!RedisServer::available()) GTEST_SKIP() << "redis-server is not on PATH";
  std::mutex mutex;  // outlives the threads that call the state handlers
  std::vector<std::string> downs;
  RedisServer server("right");
  server.start();
  IoThread home;
  IoThread caller;
  auto wrong = Connection::create(
      home.io(),
      *parse_redis_url("redis://:wrong@127.0.0.1:" + std::to_string(server.port()), nullptr));
  auto none = Connection::create(
      home.io(), *parse_redis_url("redis://127.0.0.1:" + std::to_string(server.port()), nullptr));
  for (auto& connection : {wrong, none}) {
    connection->on_state([&](bool up, const std::string& detail) {
      std::lock_guard lock(mutex);
      if (!up) downs.push_back(detail);
    });
    connection->start();
  }
  auto count = [&](const std::string& text) {
    std::lock_guard lock(mutex);
    int n = 0;
    for (const auto& detail : downs) n += detail.find(text) != std::string::npos;
    return n;
  };
  EXPECT_TRUE(wait_for([&] { return count("authentication failed: WRONGPASS") >= 2; }));
  EXPECT_TRUE(wait_for([&] { return count("NOAUTH") >= 2; }));  // no password given
  EXPECT_FALSE(wrong->connected());
  EXPECT_THROW(await_on(caller.io(), wrong->command({"PING"})), Unavailable);
  wrong->stop();
  none->stop();
}

TEST_F(RedisConnectionTest, EvalFallsBackToEvalAfterScriptFlush) {
  server.start();
  auto redis = connect_up(server.url());
  Script script("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  EXPECT_EQ(run(redis, {"SCRIPT", "LOAD", script.source()}).str, script.sha1());
  EXPECT_EQ(await_on(caller.io(), redis->eval(script, {"evaluated"}, {"5"})).integer, 5);
  EXPECT_EQ(run(redis, {"SCRIPT", "FLUSH"}).str, "OK");
  EXPECT_EQ(run(redis, {"SCRIPT", "EXISTS", script.sha1()}).elements.at(0).integer, 0);
  EXPECT_EQ(await_on(caller.io(), redis->eval(script, {"evaluated"}, {"7"})).integer, 12);
  // EVAL loaded it again: the next EVALSHA needs no fallback.
  EXPECT_EQ(run(redis, {"SCRIPT", "EXISTS", script.sha1()}).elements.at(0).integer, 1);
  auto failing =
      await_on(caller.io(), redis->eval(Script("return redis.error_reply('no')"), {}, {}));
  EXPECT_TRUE(failing.is_error());
  EXPECT_NE(failing.str.find("no"), std::string::npos) << failing.str;  // Redis 7: "ERR no"
}

TEST_F(RedisConnectionTest, UnavailableWhileTheServerIsDown) {
  auto redis = connect(server.url());  // never started
  EXPECT_TRUE(wait_for([&] { return saw_down_with("Connection refused"); }));
  EXPECT_FALSE(redis->connected());
  EXPECT_THROW(run(redis, {"PING"}), Unavailable);
  // It keeps trying: once the server is there, it connects.
  server.start();
  EXPECT_TRUE(wait_for([&] { return redis->connected(); }));
  EXPECT_EQ(run(redis, {"PING"}).str, "PONG");
}

TEST_F(RedisConnectionTest, KilledServerFailsPendingCommandsThenReconnects) {
  server.start();
  auto redis = connect_up(server.url());
  auto observer = connect_up(server.url());
  std::vector<std::future<Reply>> pending;
  for (int i = 0; i < 3; ++i)
    pending.push_back(boost::asio::co_spawn(caller.io(), redis->command({"BLPOP", "never", "0"}),
                                            boost::asio::use_future));
  ASSERT_TRUE(wait_for([&] { return blocked_clients(observer) == 1; }));
  server.kill();
  for (auto& reply : pending) {
    ASSERT_EQ(reply.wait_for(5s), std::future_status::ready);
    EXPECT_THROW(reply.get(), Unavailable);
  }
  EXPECT_TRUE(wait_for([&] { return !redis->connected(); }));
  EXPECT_THROW(run(redis, {"PING"}), Unavailable);
  server.restart();
  EXPECT_TRUE(wait_for([&] { return redis->connected(); }));
  EXPECT_EQ(run(redis, {"SET", "after", "restart"}).str, "OK");
  EXPECT_TRUE(saw(true, false));
  EXPECT_TRUE(saw(false, true));
}

TEST_F(RedisConnectionTest, StoppedServerTimesOutThenRecovers) {
  server.start();
  ConnectionOptions options;
  options.command_timeout = 300ms;
  options.connect_timeout = 500ms;
  auto redis = connect_up(server.url(), options);
  server.pause();
  EXPECT_THROW(run(redis, {"PING"}), Unavailable);
  EXPECT_TRUE(wait_for([&] { return saw_down_with("no reply from Redis within 300 ms"); }));
  server.resume();
  EXPECT_TRUE(wait_for([&] { return redis->connected(); }));
  EXPECT_EQ(run(redis, {"PING"}).str, "PONG");
}

TEST_F(RedisConnectionTest, StopFailsPendingCommandsAndReleasesTheConnection) {
  server.start();
  auto observer = connect_up(server.url());
  auto redis = Connection::create(home.io(), *parse_redis_url(server.url(), nullptr));
  redis->start();
  ASSERT_TRUE(wait_for([&] { return redis->connected(); }));
  std::vector<std::future<Reply>> pending;
  for (int i = 0; i < 5; ++i)
    pending.push_back(boost::asio::co_spawn(caller.io(), redis->command({"BLPOP", "never", "0"}),
                                            boost::asio::use_future));
  ASSERT_TRUE(wait_for([&] { return blocked_clients(observer) == 1; }));
  redis->stop();
  for (auto& reply : pending) {
    ASSERT_EQ(reply.wait_for(5s), std::future_status::ready);
    EXPECT_THROW(reply.get(), Unavailable);
  }
  EXPECT_THROW(run(redis, {"PING"}), Unavailable);
  std::weak_ptr<Connection> weak = redis;
  redis.reset();
  EXPECT_TRUE(wait_for([&] { return weak.expired(); })) << "something still holds the connection";
  EXPECT_TRUE(wait_for([&] { return blocked_clients(observer) == 0; }));
}

}  // namespace
