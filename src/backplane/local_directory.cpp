// The node's own connections, users and groups: see local_directory.hpp.
#include "backplane/local_directory.hpp"

#include <map>

namespace switchboard::backplane {

using hubs::is_excluded;

namespace {

// The connection ids that `index` (a hub's user or group index) holds under `key`, less `excluded`.
template <typename Index>
std::vector<std::string> members_except(const Index& index, const std::string& key,
                                        const Excluded& excluded) {
  std::vector<std::string> ids;
  if (auto members = index.find(key); members != index.end())
    for (const auto& id : members->second)
      if (!is_excluded(excluded, id)) ids.push_back(id);
  return ids;
}

}  // namespace

LocalDirectory::LocalDirectory(const std::vector<exec::Shard*>& shards) {
  for (auto* shard : shards) indexes_.push_back(std::make_unique<ShardIndex>(*shard));
}

LocalDirectory::~LocalDirectory() = default;

void LocalDirectory::start_heartbeats(std::chrono::milliseconds period) {
  for (auto& index : indexes_)
    index->shard().post([i = index.get(), period] { i->start_heartbeat(period); });
}

void LocalDirectory::shutdown(const std::string& reason) {
  for (auto& index : indexes_)
    index->shard().post([i = index.get(), reason] {
      i->stop_heartbeat();
      i->close_everything(reason, true);
    });
}

void LocalDirectory::post_all(auto&& make_handler) {
  for (auto& index : indexes_) index->shard().post(make_handler(*index));
}

LocalDirectory::Entry* LocalDirectory::find_locked(const std::string& hub,
                                                   const std::string& connection_id) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end() || it->second.hub != hub) return nullptr;
  return &it->second;
}

bool LocalDirectory::join_locked(const std::string& connection_id, Entry& entry,
                                 const std::string& group, std::vector<Change>& out) {
  if (!entry.groups.insert(group).second) return false;
  hubs_[entry.hub].group_connections[group].insert(connection_id);
  out.push_back({entry.shard, connection_id, group, true});
  return true;
}

bool LocalDirectory::leave_locked(const std::string& connection_id, Entry& entry,
                                  const std::string& group, std::vector<Change>& out) {
  if (!entry.groups.erase(group)) return false;
  auto& dir = hubs_[entry.hub];
  auto it = dir.group_connections.find(group);
  if (it != dir.group_connections.end()) {
    it->second.erase(connection_id);
    if (it->second.empty()) dir.group_connections.erase(it);
  }
  out.push_back({entry.shard, connection_id, group, false});
  return true;
}

void LocalDirectory::apply(std::vector<Change>& changes) {
  for (auto& c : changes) {
    auto* index = indexes_[c.shard].get();
    if (c.join)
      index->shard().post([index, id = std::move(c.connection_id), group = std::move(c.group)] {
        index->join_group(id, group);
      });
    else
      index->shard().post([index, id = std::move(c.connection_id), group = std::move(c.group)] {
        index->leave_group(id, group);
      });
  }
}

void LocalDirectory::watch(const std::shared_ptr<ClientConnection>& connection) {
  indexes_[connection->shard()]->watch(connection);
}

void LocalDirectory::unwatch(ClientConnection& connection) {
  indexes_[connection.shard()]->detach(connection);
}

void LocalDirectory::add(const std::shared_ptr<ClientConnection>& connection,
                         const std::vector<std::string>& groups) {
  {
    std::lock_guard lock(mutex_);
    auto& entry = connections_[connection->id()];
    entry.hub = connection->hub();
    entry.user = connection->user();
    entry.shard = connection->shard();
    entry.transport = connection->transport_name();
    entry.protocol = connection->protocol_name();
    auto& dir = hubs_[entry.hub];
    if (!entry.user.empty()) dir.user_connections[entry.user].insert(connection->id());
    for (const auto& group : groups) {
      entry.groups.insert(group);
      dir.group_connections[group].insert(connection->id());
    }
    count_.store(connections_.size(), std::memory_order_relaxed);
  }
  indexes_[connection->shard()]->attach(connection, groups);
}

std::optional<ConnectionRecord> LocalDirectory::remove(ClientConnection& connection) {
  indexes_[connection.shard()]->detach(connection);
  std::lock_guard lock(mutex_);
  auto it = connections_.find(connection.id());
  if (it == connections_.end()) return std::nullopt;
  ConnectionRecord record = record_of(connection.id(), it->second);
  erase_locked(connection.id());
  return record;
}

void LocalDirectory::erase_locked(const std::string& connection_id) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  auto& entry = it->second;
  auto dir_it = hubs_.find(entry.hub);
  if (dir_it != hubs_.end()) {
    auto& dir = dir_it->second;
    for (const auto& group : entry.groups) {
      auto members = dir.group_connections.find(group);
      if (members == dir.group_connections.end()) continue;
      members->second.erase(connection_id);
      if (members->second.empty()) dir.group_connections.erase(members);
    }
    if (!entry.user.empty()) {
      auto users = dir.user_connections.find(entry.user);
      if (users != dir.user_connections.end()) {
        users->second.erase(connection_id);
        if (users->second.empty()) dir.user_connections.erase(users);
      }
    }
    if (dir.user_connections.empty() && dir.group_connections.empty()) hubs_.erase(dir_it);
  }
  connections_.erase(it);
  count_.store(connections_.size(), std::memory_order_relaxed);
}

void LocalDirectory::deliver_all(const std::string& hub, const MessagePtr& message,
                                 std::shared_ptr<const Excluded> excluded) {
  post_all([&](ShardIndex& index) {
    return [i = &index, hub, message, excluded] { i->deliver_all(hub, message, *excluded); };
  });
}

void LocalDirectory::deliver_user(const std::string& hub, const std::string& user,
                                  const MessagePtr& message) {
  std::vector<bool> targets(indexes_.size(), false);
  {
    std::lock_guard lock(mutex_);
    auto dir = hubs_.find(hub);
    if (dir == hubs_.end()) return;
    auto users = dir->second.user_connections.find(user);
    if (users == dir->second.user_connections.end()) return;
    for (const auto& id : users->second) targets[connections_[id].shard] = true;
  }
  for (unsigned s = 0; s < targets.size(); ++s) {
    if (!targets[s]) continue;
    auto* index = indexes_[s].get();
    index->shard().post([index, hub, user, message] { index->deliver_user(hub, user, message); });
  }
}

void LocalDirectory::deliver_group(const std::string& hub, const std::string& group,
                                   const MessagePtr& message,
                                   std::shared_ptr<const Excluded> excluded) {
  post_all([&](ShardIndex& index) {
    return [i = &index, hub, group, message, excluded] {
      i->deliver_group(hub, group, message, *excluded);
    };
  });
}

void LocalDirectory::deliver_connection(const std::string& hub, const std::string& connection_id,
                                        const MessagePtr& message) {
  ShardIndex* index = nullptr;
  {
    std::lock_guard lock(mutex_);
    if (auto* entry = find_locked(hub, connection_id)) index = indexes_[entry->shard].get();
  }
  if (index)
    index->shard().post(
        [index, connection_id, message] { index->deliver_connection(connection_id, message); });
}

bool LocalDirectory::join(const std::string& hub, const std::string& connection_id,
                          const std::string& group) {
  std::vector<Change> changes;
  {
    std::lock_guard lock(mutex_);
    auto* entry = find_locked(hub, connection_id);
    if (!entry) return false;
    join_locked(connection_id, *entry, group, changes);
  }
  apply(changes);
  return true;
}

bool LocalDirectory::leave(const std::string& hub, const std::string& connection_id,
                           const std::string& group) {
  std::vector<Change> changes;
  {
    std::lock_guard lock(mutex_);
    auto* entry = find_locked(hub, connection_id);
    if (!entry) return false;
    leave_locked(connection_id, *entry, group, changes);
  }
  apply(changes);
  return true;
}

std::optional<std::vector<std::string>> LocalDirectory::leave_all(
    const std::string& hub, const std::string& connection_id) {
  std::vector<Change> changes;
  std::vector<std::string> groups;
  {
    std::lock_guard lock(mutex_);
    auto* entry = find_locked(hub, connection_id);
    if (!entry) return std::nullopt;
    groups.assign(entry->groups.begin(), entry->groups.end());
    for (const auto& group : groups) leave_locked(connection_id, *entry, group, changes);
  }
  apply(changes);
  return groups;
}

std::vector<std::string> LocalDirectory::change_user(const std::string& hub,
                                                     const std::string& user,
                                                     const std::string& group, bool join) {
  std::vector<Change> changes;
  std::vector<std::string> changed;
  {
    std::lock_guard lock(mutex_);
    auto dir = hubs_.find(hub);
    if (dir == hubs_.end()) return changed;
    auto users = dir->second.user_connections.find(user);
    if (users == dir->second.user_connections.end()) return changed;
    std::vector<std::string> ids(users->second.begin(), users->second.end());
    for (const auto& id : ids) {
      auto& entry = connections_[id];
      if (join ? join_locked(id, entry, group, changes) : leave_locked(id, entry, group, changes))
        changed.push_back(id);
    }
  }
  apply(changes);
  return changed;
}

std::vector<std::string> LocalDirectory::join_user(const std::string& hub, const std::string& user,
                                                   const std::string& group) {
  return change_user(hub, user, group, true);
}

std::vector<std::string> LocalDirectory::leave_user(const std::string& hub, const std::string& user,
                                                    const std::string& group) {
  return change_user(hub, user, group, false);
}

std::vector<std::pair<std::string, std::string>> LocalDirectory::leave_user_all(
    const std::string& hub, const std::string& user) {
  std::vector<Change> changes;
  std::vector<std::pair<std::string, std::string>> left;
  {
    std::lock_guard lock(mutex_);
    auto dir = hubs_.find(hub);
    if (dir == hubs_.end()) return left;
    auto users = dir->second.user_connections.find(user);
    if (users == dir->second.user_connections.end()) return left;
    std::vector<std::string> ids(users->second.begin(), users->second.end());
    for (const auto& id : ids) {
      auto& entry = connections_[id];
      std::vector<std::string> groups(entry.groups.begin(), entry.groups.end());
      for (const auto& group : groups)
        if (leave_locked(id, entry, group, changes)) left.emplace_back(id, group);
    }
  }
  apply(changes);
  return left;
}

bool LocalDirectory::has_connection(const std::string& hub, const std::string& connection_id) {
  std::lock_guard lock(mutex_);
  return find_locked(hub, connection_id) != nullptr;
}

bool LocalDirectory::has_user(const std::string& hub, const std::string& user) {
  std::lock_guard lock(mutex_);
  auto dir = hubs_.find(hub);
  return dir != hubs_.end() && dir->second.user_connections.count(user) > 0;
}

bool LocalDirectory::has_group(const std::string& hub, const std::string& group) {
  std::lock_guard lock(mutex_);
  auto dir = hubs_.find(hub);
  return dir != hubs_.end() && dir->second.group_connections.count(group) > 0;
}

bool LocalDirectory::user_connection_in_group(const std::string& hub, const std::string& user,
                                              const std::string& group) {
  std::lock_guard lock(mutex_);
  auto dir = hubs_.find(hub);
  if (dir == hubs_.end()) return false;
  auto users = dir->second.user_connections.find(user);
  if (users == dir->second.user_connections.end()) return false;
  for (const auto& id : users->second)
    if (connections_[id].groups.count(group)) return true;
  return false;
}

std::optional<ConnectionRecord> LocalDirectory::find(const std::string& hub,
                                                     const std::string& connection_id) {
  std::lock_guard lock(mutex_);
  auto* entry = find_locked(hub, connection_id);
  if (!entry) return std::nullopt;
  return record_of(connection_id, *entry);
}

ConnectionRecord LocalDirectory::record_of(const std::string& connection_id, const Entry& entry) {
  return ConnectionRecord{connection_id,   entry.hub,
                          entry.user,      {entry.groups.begin(), entry.groups.end()},
                          entry.transport, entry.protocol};
}

std::vector<ConnectionRecord> LocalDirectory::snapshot() {
  std::lock_guard lock(mutex_);
  std::vector<ConnectionRecord> records;
  records.reserve(connections_.size());
  for (const auto& [id, entry] : connections_) records.push_back(record_of(id, entry));
  return records;
}

std::vector<std::string> LocalDirectory::close_locked(std::vector<std::string> victims,
                                                      const std::string& reason) {
  std::map<unsigned, std::vector<std::string>> by_shard;
  std::vector<std::string> closed;
  for (auto& id : victims) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    by_shard[it->second.shard].push_back(id);
    closed.push_back(id);
    erase_locked(id);
  }
  for (auto& [s, ids] : by_shard) {
    auto* index = indexes_[s].get();
    index->shard().post([index, ids = std::move(ids), reason] {
      for (const auto& id : ids) index->close_connection(id, reason);
    });
  }
  return closed;
}

bool LocalDirectory::close_connection(const std::string& hub, const std::string& connection_id,
                                      const std::string& reason) {
  std::lock_guard lock(mutex_);
  if (!find_locked(hub, connection_id)) return false;
  close_locked({connection_id}, reason);
  return true;
}

std::vector<std::string> LocalDirectory::close_all(const std::string& hub, const Excluded& excluded,
                                                   const std::string& reason) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> victims;
  for (const auto& [id, entry] : connections_)
    if (entry.hub == hub && !is_excluded(excluded, id)) victims.push_back(id);
  return close_locked(std::move(victims), reason);
}

std::vector<std::string> LocalDirectory::close_group(const std::string& hub,
                                                     const std::string& group,
                                                     const Excluded& excluded,
                                                     const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto dir = hubs_.find(hub);
  if (dir == hubs_.end()) return close_locked({}, reason);
  return close_locked(members_except(dir->second.group_connections, group, excluded), reason);
}

std::vector<std::string> LocalDirectory::close_user(const std::string& hub, const std::string& user,
                                                    const Excluded& excluded,
                                                    const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto dir = hubs_.find(hub);
  if (dir == hubs_.end()) return close_locked({}, reason);
  return close_locked(members_except(dir->second.user_connections, user, excluded), reason);
}

}  // namespace switchboard::backplane
