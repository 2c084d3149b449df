// The node's own connections, users and groups: see local_directory.hpp.
#include "backplane/local_directory.hpp"

#include <cstdint>
#include <map>

namespace switchboard::backplane {

using hubs::is_excluded;

namespace {

// The ids of `entries`, less `excluded`.
template <typename Entries>
std::vector<std::string> ids_except(const Entries& entries, const Excluded& excluded) {
  std::vector<std::string> ids;
  for (const auto* entry : entries)
    if (!is_excluded(excluded, entry->connection->id())) ids.push_back(entry->connection->id());
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
  if (it == connections_.end() || it->second.connection->hub() != hub) return nullptr;
  return &it->second;
}

std::vector<LocalDirectory::Entry*> LocalDirectory::user_entries_locked(const std::string& hub,
                                                                        const std::string& user) {
  std::vector<Entry*> entries;
  auto dir = hubs_.find(hub);
  if (dir == hubs_.end()) return entries;
  auto [first, last] = dir->second.user_connections.equal_range(user);
  for (auto it = first; it != last; ++it) entries.push_back(it->second);
  return entries;
}

bool LocalDirectory::join_locked(Entry& entry, const std::string& group, std::vector<Change>& out) {
  if (!entry.groups) entry.groups = std::make_unique<std::unordered_set<std::string>>();
  if (!entry.groups->insert(group).second) return false;
  const auto& connection = *entry.connection;
  hubs_[connection.hub()].group_connections[group].insert(&entry);
  out.push_back({connection.shard(), connection.id(), group, true});
  return true;
}

bool LocalDirectory::leave_locked(Entry& entry, const std::string& group,
                                  std::vector<Change>& out) {
  if (!entry.groups || !entry.groups->erase(group)) return false;
  const auto& connection = *entry.connection;
  auto& dir = hubs_[connection.hub()];
  auto it = dir.group_connections.find(group);
  if (it != dir.group_connections.end()) {
    it->second.erase(&entry);
    if (it->second.empty()) dir.group_connections.erase(it);
  }
  out.push_back({connection.shard(), connection.id(), group, false});
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
    erase_locked(connection->id());  // an older connection of the same id gives way
    auto& entry = connections_[connection->id()];
    entry.connection = connection.get();
    auto& dir = hubs_[connection->hub()];
    if (!connection->user().empty()) dir.user_connections.emplace(connection->user(), &entry);
    if (!groups.empty()) {
      entry.groups = std::make_unique<std::unordered_set<std::string>>();
      for (const auto& group : groups) {
        entry.groups->insert(group);
        dir.group_connections[group].insert(&entry);
      }
    }
    count_.store(connections_.size(), std::memory_order_relaxed);
  }
  indexes_[connection->shard()]->attach(connection, groups);
}

std::optional<ConnectionRecord> LocalDirectory::remove(ClientConnection& connection) {
  std::optional<ConnectionRecord> record;
  {
    std::lock_guard lock(mutex_);
    auto it = connections_.find(connection.id());
    if (it != connections_.end() && it->second.connection == &connection) {
      record = record_of(it->second);
      erase_locked(connection.id());
    }
  }
  indexes_[connection.shard()]->detach(connection);
  return record;
}

void LocalDirectory::erase_locked(const std::string& connection_id) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end()) return;
  auto& entry = it->second;
  const auto& connection = *entry.connection;
  auto dir_it = hubs_.find(connection.hub());
  if (dir_it != hubs_.end()) {
    auto& dir = dir_it->second;
    if (entry.groups)
      for (const auto& group : *entry.groups) {
        auto members = dir.group_connections.find(group);
        if (members == dir.group_connections.end()) continue;
        members->second.erase(&entry);
        if (members->second.empty()) dir.group_connections.erase(members);
      }
    if (!connection.user().empty()) {
      auto [first, last] = dir.user_connections.equal_range(connection.user());
      for (auto user = first; user != last; ++user)
        if (user->second == &entry) {
          dir.user_connections.erase(user);
          break;
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
  // One shard: its own index is the only place to look, so the directory's lookup (a lock and
  // two hash searches whose nodes are seldom in cache) is skipped; the shard finds the user or not.
  if (indexes_.size() == 1) {
    auto* index = indexes_.front().get();
    index->shard().post([index, hub, user, message] { index->deliver_user(hub, user, message); });
    return;
  }
  // The shards with a connection of the user: a word of bits for up to 64 shards (no allocation
  // per send), a vector beyond.
  std::uint64_t first_64 = 0;
  std::vector<bool> others;
  {
    std::lock_guard lock(mutex_);
    if (auto dir = hubs_.find(hub); dir != hubs_.end()) {
      auto [first, last] = dir->second.user_connections.equal_range(user);
      for (auto it = first; it != last; ++it) {
        const unsigned shard = it->second->connection->shard();
        if (shard < 64) {
          first_64 |= std::uint64_t{1} << shard;
        } else {
          others.resize(indexes_.size(), false);
          others[shard] = true;
        }
      }
    }
  }
  for (unsigned s = 0; s < indexes_.size(); ++s) {
    if (s < 64 ? !(first_64 >> s & 1) : (others.empty() || !others[s])) continue;
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
  if (indexes_.size() == 1) {  // as deliver_user: the shard's index checks the id and the hub
    index = indexes_.front().get();
    index->shard().post([index, hub, connection_id, message] {
      index->deliver_connection(hub, connection_id, message);
    });
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (auto* entry = find_locked(hub, connection_id))
      index = indexes_[entry->connection->shard()].get();
  }
  if (index)
    index->shard().post([index, hub, connection_id, message] {
      index->deliver_connection(hub, connection_id, message);
    });
}

bool LocalDirectory::join(const std::string& hub, const std::string& connection_id,
                          const std::string& group) {
  std::vector<Change> changes;
  {
    std::lock_guard lock(mutex_);
    auto* entry = find_locked(hub, connection_id);
    if (!entry) return false;
    join_locked(*entry, group, changes);
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
    leave_locked(*entry, group, changes);
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
    if (entry->groups) groups.assign(entry->groups->begin(), entry->groups->end());
    for (const auto& group : groups) leave_locked(*entry, group, changes);
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
    for (auto* entry : user_entries_locked(hub, user))
      if (join ? join_locked(*entry, group, changes) : leave_locked(*entry, group, changes))
        changed.push_back(id_of(entry));
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
    for (auto* entry : user_entries_locked(hub, user)) {
      if (!entry->groups) continue;
      std::vector<std::string> groups(entry->groups->begin(), entry->groups->end());
      for (const auto& group : groups)
        if (leave_locked(*entry, group, changes)) left.emplace_back(id_of(entry), group);
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
  for (const auto* entry : user_entries_locked(hub, user))
    if (entry->groups && entry->groups->count(group)) return true;
  return false;
}

std::optional<ConnectionRecord> LocalDirectory::find(const std::string& hub,
                                                     const std::string& connection_id) {
  std::lock_guard lock(mutex_);
  auto* entry = find_locked(hub, connection_id);
  if (!entry) return std::nullopt;
  return record_of(*entry);
}

ConnectionRecord LocalDirectory::record_of(const Entry& entry) {
  const auto& connection = *entry.connection;
  ConnectionRecord record{connection.id(),
                          connection.hub(),
                          connection.user(),
                          {},
                          connection.transport_name(),
                          connection.protocol_name()};
  if (entry.groups) record.groups.assign(entry.groups->begin(), entry.groups->end());
  return record;
}

std::vector<ConnectionRecord> LocalDirectory::snapshot() {
  std::lock_guard lock(mutex_);
  std::vector<ConnectionRecord> records;
  records.reserve(connections_.size());
  for (const auto& [id, entry] : connections_) records.push_back(record_of(entry));
  return records;
}

std::vector<std::string> LocalDirectory::close_locked(std::vector<std::string> victims,
                                                      const std::string& reason) {
  std::map<unsigned, std::vector<std::string>> by_shard;
  std::vector<std::string> closed;
  for (auto& id : victims) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    by_shard[it->second.connection->shard()].push_back(id);
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
    if (entry.connection->hub() == hub && !is_excluded(excluded, entry.connection->id()))
      victims.push_back(entry.connection->id());
  return close_locked(std::move(victims), reason);
}

std::vector<std::string> LocalDirectory::close_group(const std::string& hub,
                                                     const std::string& group,
                                                     const Excluded& excluded,
                                                     const std::string& reason) {
  std::lock_guard lock(mutex_);
  auto dir = hubs_.find(hub);
  if (dir == hubs_.end()) return close_locked({}, reason);
  auto members = dir->second.group_connections.find(group);
  if (members == dir->second.group_connections.end()) return close_locked({}, reason);
  return close_locked(ids_except(members->second, excluded), reason);
}

std::vector<std::string> LocalDirectory::close_user(const std::string& hub, const std::string& user,
                                                    const Excluded& excluded,
                                                    const std::string& reason) {
  std::lock_guard lock(mutex_);
  return close_locked(ids_except(user_entries_locked(hub, user), excluded), reason);
}

}  // namespace switchboard::backplane
