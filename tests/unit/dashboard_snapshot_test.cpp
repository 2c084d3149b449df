// Unit tests for the dashboard's snapshot (service/dashboard_snapshot): totals, the lists of
// hubs, connections, users and groups with their members, the list limit, rates and errors, and
// names that are not UTF-8.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "service/dashboard_snapshot.hpp"

namespace {

using namespace switchboard;
using nlohmann::json;

backplane::ConnectionRecord record(std::string id, std::string hub, std::string user,
                                   std::vector<std::string> groups,
                                   std::string_view transport = "WebSockets",
                                   std::string_view protocol = "json") {
  return {std::move(id), std::move(hub), std::move(user), std::move(groups), transport, protocol};
}

json snapshot_of(service::DashboardInputs inputs) {
  return json::parse(service::dashboard_snapshot_json(std::move(inputs)));
}

service::DashboardInputs chat_and_news() {
  service::DashboardInputs inputs;
  inputs.now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1700000000123));
  inputs.connections = {
      record("c2", "chat", "bob", {"room1"}, "LongPolling", "messagepack"),
      record("c1", "chat", "alice", {"room2", "room1"}),
      record("c3", "chat", "alice", {}),
      record("n1", "news", "", {"sports"}, "ServerSentEvents"),
  };
  return inputs;
}

TEST(DashboardSnapshot, CountsHubsConnectionsUsersAndGroups) {
  auto s = snapshot_of(chat_and_news());
  EXPECT_EQ(s["time"], 1700000000123);
  EXPECT_TRUE(s["node"].is_null());
  EXPECT_EQ(s["totals"], (json{{"hubs", 2}, {"connections", 4}, {"users", 2}, {"groups", 3}}));
  ASSERT_EQ(s["hubs"].size(), 2u);
  EXPECT_EQ(s["hubs"][0],
            (json{{"name", "chat"}, {"connections", 3}, {"users", 2}, {"groups", 2}}));
  EXPECT_EQ(s["hubs"][1],
            (json{{"name", "news"}, {"connections", 1}, {"users", 0}, {"groups", 1}}));
}

TEST(DashboardSnapshot, ListsConnectionsSortedWithTransportProtocolAndGroups) {
  auto inputs = chat_and_news();
  inputs.node_id = "node-a";
  auto s = snapshot_of(std::move(inputs));
  ASSERT_EQ(s["connections"].size(), 4u);
  EXPECT_EQ(s["connections"][0], (json{{"id", "c1"},
                                       {"hub", "chat"},
                                       {"user", "alice"},
                                       {"transport", "WebSockets"},
                                       {"protocol", "json"},
                                       {"node", "node-a"},
                                       {"groups", {"room1", "room2"}}}));
  EXPECT_EQ(s["connections"][1]["transport"], "LongPolling");
  EXPECT_EQ(s["connections"][1]["protocol"], "messagepack");
  EXPECT_TRUE(s["connections"][3]["user"].is_null());  // anonymous
  EXPECT_EQ(s["node"], "node-a");
}

TEST(DashboardSnapshot, ListsUsersAndGroupsWithTheirMembers) {
  auto s = snapshot_of(chat_and_news());
  EXPECT_EQ(s["users"],
            (json::array({
                {{"hub", "chat"},
                 {"user", "alice"},
                 {"connectionCount", 2},
                 {"connections", {"c1", "c3"}}},
                {{"hub", "chat"}, {"user", "bob"}, {"connectionCount", 1}, {"connections", {"c2"}}},
            })));
  ASSERT_EQ(s["groups"].size(), 3u);
  EXPECT_EQ(s["groups"][0], (json{{"hub", "chat"},
                                  {"group", "room1"},
                                  {"connectionCount", 2},
                                  {"connections", {"c1", "c2"}},
                                  {"users", {"alice", "bob"}}}));
  EXPECT_EQ(s["groups"][1]["group"], "room2");
  EXPECT_EQ(s["groups"][2], (json{{"hub", "news"},
                                  {"group", "sports"},
                                  {"connectionCount", 1},
                                  {"connections", {"n1"}},
                                  {"users", json::array()}}));
}

TEST(DashboardSnapshot, ListsAtMostTheLimitButCountsEverything) {
  service::DashboardInputs inputs;
  for (int i = 0; i < 30; ++i)
    inputs.connections.push_back(record("c" + std::to_string(100 + i), "chat", "u", {"all"}));
  inputs.max_listed = 10;
  auto s = snapshot_of(std::move(inputs));
  EXPECT_EQ(s["totals"]["connections"], 30);
  EXPECT_EQ(s["connections"].size(), 10u);
  EXPECT_EQ(s["listLimit"], 10);
  EXPECT_EQ(s["groups"][0]["connectionCount"], 30);
  EXPECT_EQ(s["groups"][0]["connections"].size(), 10u);
  EXPECT_EQ(s["users"][0]["connectionCount"], 30);
  EXPECT_EQ(s["users"][0]["connections"].size(), 10u);
}

TEST(DashboardSnapshot, RatesAreNullUntilKnown) {
  auto s = snapshot_of(chat_and_news());
  EXPECT_TRUE(s["rates"].is_null());
  auto inputs = chat_and_news();
  inputs.rates = service::DashboardRates{12.5, 40};
  s = snapshot_of(std::move(inputs));
  EXPECT_EQ(s["rates"], (json{{"messagesInPerSecond", 12.5}, {"messagesOutPerSecond", 40.0}}));
}

TEST(DashboardSnapshot, CarriesTheLastErrors) {
  auto inputs = chat_and_news();
  inputs.errors = {{std::chrono::system_clock::time_point(std::chrono::milliseconds(5)), "warning",
                    "queue full"},
                   {std::chrono::system_clock::time_point(std::chrono::milliseconds(9)), "error",
                    "upstream down"}};
  inputs.errors_total = 7;
  auto s = snapshot_of(std::move(inputs));
  EXPECT_EQ(s["errors"],
            (json::array({{{"time", 5}, {"level", "warning"}, {"message", "queue full"}},
                          {{"time", 9}, {"level", "error"}, {"message", "upstream down"}}})));
  EXPECT_EQ(s["errorsTotal"], 7);
}

TEST(DashboardSnapshot, NamesThatAreNotUtf8AreReplacedNotThrown) {
  service::DashboardInputs inputs;
  inputs.connections = {record("c1", "chat", "bad\xff", {"g\xc3"})};
  std::string text;
  ASSERT_NO_THROW(text = service::dashboard_snapshot_json(std::move(inputs)));
  auto s = json::parse(text);
  EXPECT_EQ(s["connections"][0]["user"], "bad\xef\xbf\xbd");
  EXPECT_EQ(s["groups"][0]["group"], "g\xef\xbf\xbd");
}

TEST(DashboardSnapshot, EmptyNode) {
  auto s = snapshot_of({});
  EXPECT_EQ(s["totals"], (json{{"hubs", 0}, {"connections", 0}, {"users", 0}, {"groups", 0}}));
  EXPECT_EQ(s["hubs"], json::array());
  EXPECT_EQ(s["connections"], json::array());
  EXPECT_EQ(s["errors"], json::array());
}

}  // namespace
