// Unit tests for redis::Subscriber against a real redis-server started by the test: subscribe
// completes on Redis's confirmation, messages arrive in publish order across channels, unsubscribe
// stops delivery, subscriptions are counted per channel, every channel is subscribed again after
// the server was killed and restarted, binary and 1 MB payloads arrive intact, and a subscription
// asked while down is made on reconnect.
#include <utility>  // before Asio's coroutine headers (g++ 12 + Boost 1.74)

#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "redis/redis_connection.hpp"
#include "redis/redis_subscriber.hpp"
#include "redis_server_fixture.hpp"
#include "redis_test_io.hpp"

namespace {

using namespace std::chrono_literals;
using switchboard::redis::Connection;
using switchboard::redis::parse_redis_url;
using switchboard::redis::Reply;
using switchboard::redis::Subscriber;
using switchboard::redis::Unavailable;
using switchboard::testing::await_on;
using switchboard::testing::IoThread;
using switchboard::testing::RedisServer;
using switchboard::testing::wait_for;

using Message = std::pair<std::string, std::string>;

class RedisSubscriberTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!RedisServer::available()) GTEST_SKIP() << "redis-server is not on PATH";
    auto url = *parse_redis_url(server.url(), nullptr);
    publisher = Connection::create(home.io(), url);
    subscriber = Subscriber::create(home.io(), url);
    subscriber->on_message([this](std::string_view channel, std::string_view payload) {
      std::lock_guard lock(mutex);
      messages.emplace_back(std::string(channel), std::string(payload));
    });
    subscriber->on_state([this](bool up, const std::string&) {
      std::lock_guard lock(mutex);
      states.push_back(up);
    });
  }
  void TearDown() override {
    if (subscriber) subscriber->stop();
    if (publisher) publisher->stop();
  }

  void start_all() {
    server.start();
    publisher->start();
    subscriber->start();
    ASSERT_TRUE(wait_for([&] { return publisher->connected() && subscriber->connected(); }));
  }

  void subscribe(const std::string& channel) {
    await_on(caller.io(), subscriber->subscribe(channel));
  }
  void unsubscribe(const std::string& channel) {
    await_on(caller.io(), subscriber->unsubscribe(channel));
  }
  long long publish(const std::string& channel, const std::string& payload) {
    return await_on(caller.io(), publisher->command({"PUBLISH", channel, payload})).integer;
  }
  std::vector<Message> received() {
    std::lock_guard lock(mutex);
    return messages;
  }
  std::size_t received_count() {
    std::lock_guard lock(mutex);
    return messages.size();
  }

  std::mutex mutex;
  std::vector<Message> messages;
  std::vector<bool> states;
  RedisServer server;
  IoThread home;
  IoThread caller;
  std::shared_ptr<Connection> publisher;
  std::shared_ptr<Subscriber> subscriber;
};

TEST_F(RedisSubscriberTest, SubscribeCompletesOnConfirmation) {
  start_all();
  subscribe("news");
  // Confirmed means Redis already counts us as a receiver.
  EXPECT_EQ(publish("news", "hello"), 1);
  ASSERT_TRUE(wait_for([&] { return received_count() == 1; }));
  EXPECT_EQ(received()[0], Message("news", "hello"));
}

TEST_F(RedisSubscriberTest, MessagesArriveInPublishOrderAcrossChannels) {
  start_all();
  subscribe("even");
  subscribe("odd");
  std::vector<std::vector<std::string>> commands;
  std::vector<Message> expected;
  for (int i = 0; i < 1000; ++i) {
    std::string channel = i % 2 == 0 ? "even" : "odd";
    commands.push_back({"PUBLISH", channel, std::to_string(i)});
    expected.emplace_back(channel, std::to_string(i));
  }
  await_on(caller.io(), publisher->pipeline(commands));
  ASSERT_TRUE(wait_for([&] { return received_count() >= expected.size(); }));
  EXPECT_EQ(received(), expected);
}

TEST_F(RedisSubscriberTest, UnsubscribeStopsDelivery) {
  start_all();
  subscribe("a");
  subscribe("b");
  unsubscribe("a");
  EXPECT_EQ(publish("a", "dropped"), 0);
  publish("a", "dropped too");
  publish("b", "kept");
  // b's message comes after a's would have: once it is here, nothing for a can follow.
  ASSERT_TRUE(wait_for([&] { return received_count() == 1; }));
  EXPECT_EQ(received(), std::vector<Message>{Message("b", "kept")});
  unsubscribe("a");  // not held any more: a no-op
  unsubscribe("never-subscribed");
}

TEST_F(RedisSubscriberTest, SubscriptionsAreCountedPerChannel) {
  start_all();
  subscribe("shared");
  subscribe("shared");
  unsubscribe("shared");
  EXPECT_EQ(publish("shared", "still"), 1);
  ASSERT_TRUE(wait_for([&] { return received_count() == 1; }));
  unsubscribe("shared");
  EXPECT_EQ(publish("shared", "gone"), 0);
  subscribe("shared");
  EXPECT_EQ(publish("shared", "again"), 1);
  ASSERT_TRUE(wait_for([&] { return received_count() == 2; }));
  EXPECT_EQ(received()[1], Message("shared", "again"));
}

TEST_F(RedisSubscriberTest, SubscribesAgainAfterTheServerRestarted) {
  start_all();
  subscribe("one");
  subscribe("two");
  server.kill();
  ASSERT_TRUE(wait_for([&] { return !subscriber->connected(); }));
  server.restart();
  // Up is reported only once every held channel is subscribed again.
  ASSERT_TRUE(wait_for([&] { return subscriber->connected() && publisher->connected(); }));
  EXPECT_EQ(publish("one", "1"), 1);
  EXPECT_EQ(publish("two", "2"), 1);
  ASSERT_TRUE(wait_for([&] { return received_count() == 2; }));
  EXPECT_EQ(received(), (std::vector<Message>{{"one", "1"}, {"two", "2"}}));
  // Up, then down (once per failed attempt while the server was away), then up again.
  std::lock_guard lock(mutex);
  ASSERT_GE(states.size(), 3u);
  EXPECT_TRUE(states.front());
  EXPECT_FALSE(states[1]);
  EXPECT_TRUE(states.back());
}

TEST_F(RedisSubscriberTest, BinaryAndLargePayloads) {
  start_all();
  std::string channel("bin\0ary", 7);
  subscribe(channel);
  std::string with_nuls("\0a\0b\0", 5);
  std::string large(1 << 20, '\0');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>(i * 7 + (i >> 9));
  EXPECT_EQ(publish(channel, with_nuls), 1);
  EXPECT_EQ(publish(channel, large), 1);
  EXPECT_EQ(publish(channel, ""), 1);
  ASSERT_TRUE(wait_for([&] { return received_count() == 3; }));
  auto got = received();
  EXPECT_EQ(got[0], Message(channel, with_nuls));
  EXPECT_EQ(got[1].first, channel);
  EXPECT_TRUE(got[1].second == large) << "the 1 MB payload differs";
  EXPECT_EQ(got[2], Message(channel, ""));
}

TEST_F(RedisSubscriberTest, SubscribeWhileDownIsMadeOnReconnect) {
  subscriber->start();  // no server yet
  EXPECT_THROW(subscribe("later"), Unavailable);
  server.start();
  publisher->start();
  ASSERT_TRUE(wait_for([&] { return publisher->connected() && subscriber->connected(); }));
  EXPECT_EQ(publish("later", "now"), 1);
  ASSERT_TRUE(wait_for([&] { return received_count() == 1; }));
}

TEST_F(RedisSubscriberTest, StoppedSubscriberDeliversNothingAndRefuses) {
  start_all();
  subscribe("x");
  subscriber->stop();
  ASSERT_TRUE(wait_for([&] { return !subscriber->connected(); }));
  EXPECT_TRUE(wait_for([&] { return publish("x", "after stop") == 0; }));
  EXPECT_THROW(subscribe("y"), Unavailable);
  EXPECT_EQ(received_count(), 0u);
}

}  // namespace
