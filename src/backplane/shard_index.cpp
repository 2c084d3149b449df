// Per-shard connection index and local fan-out: see shard_index.hpp.
#include "backplane/shard_index.hpp"

#include <algorithm>

namespace switchboard::backplane {

using hubs::is_excluded;

ShardIndex::ShardIndex(exec::Shard& shard) : shard_(shard), heartbeat_(shard.io()) {}

void ShardIndex::start_heartbeat(std::chrono::milliseconds period) {
  heartbeat_period_ = period;
  heartbeat_running_ = true;
  heartbeat_.expires_after(heartbeat_period_);
  heartbeat_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_heartbeat();
  });
}

void ShardIndex::stop_heartbeat() {
  heartbeat_running_ = false;
  heartbeat_.cancel();
}

void ShardIndex::on_heartbeat() {
  if (!heartbeat_running_) return;
  auto now = hubs::Clock::now();
  // tick() may close and detach a connection: iterate over a snapshot.
  std::vector<std::shared_ptr<ClientConnection>> snapshot;
  snapshot.reserve(by_id_.size() + watched_.size());
  for (auto& [id, connection] : by_id_) snapshot.push_back(connection);
  for (auto& [raw, connection] : watched_) snapshot.push_back(connection);
  for (auto& connection : snapshot) connection->tick(now);
  start_heartbeat(heartbeat_period_);
}

void ShardIndex::watch(const std::shared_ptr<ClientConnection>& connection) {
  watched_[connection.get()] = connection;
}

void ShardIndex::attach(const std::shared_ptr<ClientConnection>& connection,
                        const std::vector<std::string>& groups) {
  watched_.erase(connection.get());
  auto [it, fresh] = by_id_.try_emplace(connection->id(), connection);
  if (!fresh) {
    if (it->second == connection) return;
    detach(*it->second);  // an older connection of the same id gives way
    it = by_id_.emplace(connection->id(), connection).first;
  }
  auto& hub = hubs_[connection->hub()];
  connection->set_index_slot(static_cast<std::uint32_t>(hub.connections.size()));
  hub.connections.push_back(connection.get());
  if (!connection->user().empty()) hub.users.emplace(connection->user(), connection.get());
  for (const auto& group : groups) {
    connection->groups().insert(group);
    hub.groups[group].insert(connection.get());
  }
}

void ShardIndex::detach(ClientConnection& connection) {
  watched_.erase(&connection);
  auto it = by_id_.find(connection.id());
  if (it == by_id_.end() || it->second.get() != &connection) return;
  auto keep_alive = it->second;  // the connection outlives its removal from the index
  by_id_.erase(it);
  auto hub_it = hubs_.find(connection.hub());
  if (hub_it != hubs_.end()) {
    auto& hub = hub_it->second;
    // Out of the dense list: the last one takes its slot.
    const auto slot = connection.index_slot();
    if (slot < hub.connections.size() && hub.connections[slot] == &connection) {
      hub.connections[slot] = hub.connections.back();
      hub.connections[slot]->set_index_slot(slot);
      hub.connections.pop_back();
    }
    if (!connection.user().empty()) {
      auto [first, last] = hub.users.equal_range(connection.user());
      for (auto user = first; user != last; ++user)
        if (user->second == &connection) {
          hub.users.erase(user);
          break;
        }
    }
    if (const auto* groups = connection.groups_if_any())
      for (const auto& group : *groups) {
        auto members = hub.groups.find(group);
        if (members == hub.groups.end()) continue;
        members->second.erase(&connection);
        if (members->second.empty()) hub.groups.erase(members);
      }
    if (hub.connections.empty()) hubs_.erase(hub_it);
  }
  connection.clear_groups();
}

ShardIndex::HubIndex* ShardIndex::find_hub(const std::string& hub) {
  auto it = hubs_.find(hub);
  return it == hubs_.end() ? nullptr : &it->second;
}

ClientConnection* ShardIndex::find(const std::string& connection_id) {
  auto it = by_id_.find(connection_id);
  return it == by_id_.end() ? nullptr : it->second.get();
}

void ShardIndex::deliver_all(const std::string& hub, const MessagePtr& message,
                             const Excluded& excluded) {
  auto* index = find_hub(hub);
  if (!index) return;
  if (excluded.empty()) {
    for (auto* connection : index->connections) connection->send(message);
    return;
  }
  for (auto* connection : index->connections)
    if (!is_excluded(excluded, connection->id())) connection->send(message);
}

void ShardIndex::deliver_user(const std::string& hub, const std::string& user,
                              const MessagePtr& message) {
  auto* index = find_hub(hub);
  if (!index) return;
  auto [first, last] = index->users.equal_range(user);
  for (auto it = first; it != last; ++it) it->second->send(message);
}

void ShardIndex::deliver_group(const std::string& hub, const std::string& group,
                               const MessagePtr& message, const Excluded& excluded) {
  auto* index = find_hub(hub);
  if (!index) return;
  auto it = index->groups.find(group);
  if (it == index->groups.end()) return;
  for (auto* connection : it->second)
    if (excluded.empty() || !is_excluded(excluded, connection->id())) connection->send(message);
}

void ShardIndex::deliver_connection(const std::string& hub, const std::string& connection_id,
                                    const MessagePtr& message) {
  auto* connection = find(connection_id);
  if (connection && connection->hub() == hub) connection->send(message);
}

void ShardIndex::join_group(const std::string& connection_id, const std::string& group) {
  auto* connection = find(connection_id);
  if (!connection) return;
  connection->groups().insert(group);
  hubs_[connection->hub()].groups[group].insert(connection);
}

void ShardIndex::leave_group(const std::string& connection_id, const std::string& group) {
  auto* connection = find(connection_id);
  if (!connection) return;
  if (auto* groups = connection->groups_if_any(); !groups || !groups->count(group)) return;
  connection->groups().erase(group);
  auto* index = find_hub(connection->hub());
  if (!index) return;
  auto it = index->groups.find(group);
  if (it == index->groups.end()) return;
  it->second.erase(connection);
  if (it->second.empty()) index->groups.erase(it);
}

void ShardIndex::close_connection(const std::string& connection_id, const std::string& reason) {
  if (auto it = by_id_.find(connection_id); it != by_id_.end()) {
    auto connection = it->second;
    connection->close(reason, false);
  }
}

void ShardIndex::close_everything(const std::string& reason, bool allow_reconnect) {
  std::vector<std::shared_ptr<ClientConnection>> all;
  for (auto& [id, connection] : by_id_) all.push_back(connection);
  for (auto& [raw, connection] : watched_) all.push_back(connection);
  for (auto& connection : all) connection->close(reason, allow_reconnect);
}

}  // namespace switchboard::backplane
