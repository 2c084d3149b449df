// The dashboard's snapshot: see dashboard_snapshot.hpp.
#include "service/dashboard_snapshot.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace switchboard::service {

namespace {

using nlohmann::json;

std::int64_t epoch_ms(std::chrono::system_clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
}

// The first `limit` elements of a sorted set as a JSON array.
json first_of(const std::set<std::string>& items, std::size_t limit) {
  json list = json::array();
  for (const auto& item : items) {
    if (list.size() >= limit) break;
    list.push_back(item);
  }
  return list;
}

struct HubTally {
  std::size_t connections = 0;
  std::set<std::string> users;
  std::set<std::string> groups;
};

struct Members {
  std::set<std::string> connections;
  std::set<std::string> users;
};

}  // namespace

std::string dashboard_snapshot_json(DashboardInputs inputs) {
  auto& records = inputs.connections;
  std::sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return std::tie(a.hub, a.id) < std::tie(b.hub, b.id);
  });
  const std::size_t limit = inputs.max_listed;

  std::map<std::string, HubTally> hubs;
  // (hub, user) -> connections; (hub, group) -> connections and users.
  std::map<std::pair<std::string, std::string>, std::set<std::string>> users;
  std::map<std::pair<std::string, std::string>, Members> groups;
  json connections = json::array();
  for (const auto& record : records) {
    auto& hub = hubs[record.hub];
    ++hub.connections;
    if (!record.user.empty()) {
      hub.users.insert(record.user);
      users[{record.hub, record.user}].insert(record.id);
    }
    for (const auto& group : record.groups) {
      hub.groups.insert(group);
      auto& members = groups[{record.hub, group}];
      members.connections.insert(record.id);
      if (!record.user.empty()) members.users.insert(record.user);
    }
    if (connections.size() < limit) {
      std::vector<std::string> sorted_groups = record.groups;
      std::sort(sorted_groups.begin(), sorted_groups.end());
      connections.push_back(
          {{"id", record.id},
           {"hub", record.hub},
           {"user", record.user.empty() ? json(nullptr) : json(record.user)},
           {"transport", record.transport},
           {"protocol", record.protocol},
           {"node", inputs.node_id.empty() ? json(nullptr) : json(inputs.node_id)},
           {"groups", sorted_groups}});
    }
  }

  json hub_list = json::array();
  std::size_t group_total = 0;
  for (const auto& [name, tally] : hubs) {
    group_total += tally.groups.size();
    hub_list.push_back({{"name", name},
                        {"connections", tally.connections},
                        {"users", tally.users.size()},
                        {"groups", tally.groups.size()}});
  }
  json user_list = json::array();
  for (const auto& [key, ids] : users) {
    if (user_list.size() >= limit) break;
    user_list.push_back({{"hub", key.first},
                         {"user", key.second},
                         {"connectionCount", ids.size()},
                         {"connections", first_of(ids, limit)}});
  }
  json group_list = json::array();
  for (const auto& [key, members] : groups) {
    if (group_list.size() >= limit) break;
    group_list.push_back({{"hub", key.first},
                          {"group", key.second},
                          {"connectionCount", members.connections.size()},
                          {"connections", first_of(members.connections, limit)},
                          {"users", first_of(members.users, limit)}});
  }

  json errors = json::array();
  for (const auto& line : inputs.errors)
    errors.push_back(
        {{"time", epoch_ms(line.time)}, {"level", line.level}, {"message", line.text}});

  json snapshot = {
      {"time", epoch_ms(inputs.now)},
      {"node", inputs.node_id.empty() ? json(nullptr) : json(inputs.node_id)},
      {"totals",
       {{"hubs", hubs.size()},
        {"connections", records.size()},
        {"users", users.size()},
        {"groups", group_total}}},
      {"listLimit", limit},
      {"hubs", std::move(hub_list)},
      {"connections", std::move(connections)},
      {"users", std::move(user_list)},
      {"groups", std::move(group_list)},
      {"rates", inputs.rates ? json{{"messagesInPerSecond", inputs.rates->messages_in},
                                    {"messagesOutPerSecond", inputs.rates->messages_out}}
                             : json(nullptr)},
      {"errors", std::move(errors)},
      {"errorsTotal", inputs.errors_total}};
  // User ids, group names and log text may hold bytes that are not UTF-8: replaced, never thrown.
  return snapshot.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace switchboard::service
