// In-process routing: see local_router.hpp.
#include "backplane/local_router.hpp"

#include <algorithm>

namespace switchboard::backplane {

using SystemClock = std::chrono::system_clock;

LocalRouter::LocalRouter(std::vector<service::Shard*> shards) : shards_(std::move(shards)) {}

LocalRouter::~LocalRouter() = default;

void LocalRouter::start() {
  sweep_timer_ = std::make_unique<boost::asio::steady_timer>(shards_.front()->io());
  shards_.front()->post([this] { schedule_sweep(); });
}

void LocalRouter::stop() {
  if (stopping_.exchange(true)) return;
  shards_.front()->post([this] {
    if (sweep_timer_) sweep_timer_->cancel();
  });
}

void LocalRouter::schedule_sweep() {
  sweep_timer_->expires_after(std::chrono::milliseconds(250));
  sweep_timer_->async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    sweep_expired(SystemClock::now());
    schedule_sweep();
  });
}

void LocalRouter::post_all(auto&& make_handler) {
  for (auto* shard : shards_) shard->post(make_handler(*shard));
}

bool LocalRouter::membership_alive(const Membership& m, SystemClock::time_point now) const {
  return !m.expires || *m.expires > now;
}

LocalRouter::ConnectionEntry* LocalRouter::find_connection(const std::string& hub,
                                                           const std::string& connection_id) {
  auto it = connections_.find(connection_id);
  if (it == connections_.end() || it->second.hub != hub) return nullptr;
  return &it->second;
}

void LocalRouter::join_locked(const std::string& connection_id, ConnectionEntry& entry,
                              const std::string& group, std::vector<PendingJoin>& out) {
  if (!entry.groups.insert(group).second) return;
  hubs_[entry.hub].group_connections[group].insert(connection_id);
  out.push_back({entry.shard, connection_id, group, true});
}

void LocalRouter::leave_locked(const std::string& connection_id, ConnectionEntry& entry,
                               const std::string& group, std::vector<PendingJoin>& out) {
  if (!entry.groups.erase(group)) return;
  auto& dir = hubs_[entry.hub];
  auto it = dir.group_connections.find(group);
  if (it != dir.group_connections.end()) {
    it->second.erase(connection_id);
    if (it->second.empty()) dir.group_connections.erase(it);
  }
  out.push_back({entry.shard, connection_id, group, false});
}

void LocalRouter::apply(std::vector<PendingJoin>& pending) {
  for (auto& p : pending) {
    auto* shard = shards_[p.shard];
    if (p.join)
      shard->post([shard, id = std::move(p.connection_id), group = std::move(p.group)] {
        shard->join_group(id, group);
      });
    else
      shard->post([shard, id = std::move(p.connection_id), group = std::move(p.group)] {
        shard->leave_group(id, group);
      });
  }
}

void LocalRouter::connection_opened(const std::shared_ptr<ClientConnection>& connection) {
  std::vector<std::string> groups;
  {
    std::lock_guard lock(mutex_);
    auto& entry = connections_[connection->id()];
    entry.hub = connection->hub();
    entry.user = connection->user();
    entry.shard = connection->shard();
    auto& dir = hubs_[entry.hub];
    if (!entry.user.empty()) {
      dir.user_connections[entry.user].insert(connection->id());
      auto memberships = dir.user_groups.find(entry.user);
      if (memberships != dir.user_groups.end()) {
        auto now = SystemClock::now();
        for (auto& [group, membership] : memberships->second) {
          if (!membership_alive(membership, now)) continue;
          entry.groups.insert(group);
          dir.group_connections[group].insert(connection->id());
          groups.push_back(group);
        }
      }
    }
  }
  shards_[connection->shard()]->attach(connection, groups);
}

void LocalRouter::connection_closed(ClientConnection& connection) {
  shards_[connection.shard()]->detach(connection);
  std::lock_guard lock(mutex_);
  remove_entry_locked(connection.id());
}

void LocalRouter::remove_entry_locked(const std::string& connection_id) {
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
    if (dir.user_connections.empty() && dir.group_connections.empty() && dir.user_groups.empty())
      hubs_.erase(dir_it);
  }
  connections_.erase(it);
}

void LocalRouter::close_locked(std::vector<std::string> victims, const std::string& reason) {
  // Gone from the directory at once (checks answer 404 as soon as the call returns); the
  // shards then send the Close and end the transports.
  std::map<unsigned, std::vector<std::string>> by_shard;
  for (auto& id : victims) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    by_shard[it->second.shard].push_back(id);
    remove_entry_locked(id);
  }
  for (auto& [index, ids] : by_shard) {
    auto* shard = shards_[index];
    shard->post([shard, ids = std::move(ids), reason] {
      for (const auto& id : ids) shard->close_connection(id, reason);
    });
  }
}

Task<void> LocalRouter::send_to_all(std::string hub, MessagePtr message, Excluded excluded) {
  auto shared_excluded = std::make_shared<const Excluded>(std::move(excluded));
  post_all([&](service::Shard& shard) {
    return [s = &shard, hub, message, shared_excluded] {
      s->deliver_all(hub, message, *shared_excluded);
    };
  });
  co_return;
}

Task<void> LocalRouter::send_to_user(std::string hub, std::string user, MessagePtr message) {
  std::vector<unsigned> targets;
  {
    std::lock_guard lock(mutex_);
    auto dir = hubs_.find(hub);
    if (dir != hubs_.end()) {
      auto users = dir->second.user_connections.find(user);
      if (users != dir->second.user_connections.end())
        for (const auto& id : users->second) targets.push_back(connections_[id].shard);
    }
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  for (unsigned index : targets) {
    auto* shard = shards_[index];
    shard->post([shard, hub, user, message] { shard->deliver_user(hub, user, message); });
  }
  co_return;
}

Task<void> LocalRouter::send_to_group(std::string hub, std::string group, MessagePtr message,
                                      Excluded excluded) {
  auto shared_excluded = std::make_shared<const Excluded>(std::move(excluded));
  post_all([&](service::Shard& shard) {
    return [s = &shard, hub, group, message, shared_excluded] {
      s->deliver_group(hub, group, message, *shared_excluded);
    };
  });
  co_return;
}

Task<void> LocalRouter::send_to_connection(std::string hub, std::string connection_id,
                                           MessagePtr message) {
  std::optional<unsigned> target;
  {
    std::lock_guard lock(mutex_);
    if (auto* entry = find_connection(hub, connection_id)) target = entry->shard;
  }
  if (target) {
    auto* shard = shards_[*target];
    shard->post(
        [shard, connection_id, message] { shard->deliver_connection(connection_id, message); });
  }
  co_return;
}

Task<bool> LocalRouter::add_connection_to_group(std::string hub, std::string connection_id,
                                                std::string group) {
  std::vector<PendingJoin> pending;
  {
    std::lock_guard lock(mutex_);
    auto* entry = find_connection(hub, connection_id);
    if (!entry) co_return false;
    join_locked(connection_id, *entry, group, pending);
  }
  apply(pending);
  co_return true;
}

Task<bool> LocalRouter::remove_connection_from_group(std::string hub, std::string connection_id,
                                                     std::string group) {
  std::vector<PendingJoin> pending;
  {
    std::lock_guard lock(mutex_);
    auto* entry = find_connection(hub, connection_id);
    if (!entry) co_return false;
    leave_locked(connection_id, *entry, group, pending);
  }
  apply(pending);
  co_return true;
}

Task<bool> LocalRouter::remove_connection_from_all_groups(std::string hub,
                                                          std::string connection_id) {
  std::vector<PendingJoin> pending;
  {
    std::lock_guard lock(mutex_);
    auto* entry = find_connection(hub, connection_id);
    if (!entry) co_return false;
    std::vector<std::string> groups(entry->groups.begin(), entry->groups.end());
    for (const auto& group : groups) leave_locked(connection_id, *entry, group, pending);
  }
  apply(pending);
  co_return true;
}

Task<void> LocalRouter::add_user_to_group(std::string hub, std::string user, std::string group,
                                          std::optional<std::chrono::seconds> ttl) {
  std::vector<PendingJoin> pending;
  {
    std::lock_guard lock(mutex_);
    auto now = SystemClock::now();
    auto& dir = hubs_[hub];
    if (!ttl || ttl->count() > 0) {
      auto& memberships = dir.user_groups[user];
      Membership& m = memberships[group];
      m.updated = now;
      if (ttl) {
        m.expires = now + *ttl;
        expiries_.emplace(*m.expires, std::make_tuple(hub, user, group));
      } else {
        m.expires.reset();
        // Keep only the most recently updated permanent memberships of this user.
        std::size_t permanent = 0;
        for (auto& [g, mm] : memberships)
          if (!mm.expires) ++permanent;
        while (permanent > kMaxPermanentGroupsPerUser) {
          auto oldest = memberships.end();
          for (auto it = memberships.begin(); it != memberships.end(); ++it)
            if (!it->second.expires &&
                (oldest == memberships.end() || it->second.updated < oldest->second.updated))
              oldest = it;
          std::string evicted = oldest->first;
          remove_user_membership_locked(dir, user, evicted, pending);
          --permanent;
        }
      }
    } else {
      // ttl=0: only the current connections join; nothing is stored for future ones, and an
      // earlier stored membership of the same group is replaced.
      auto memberships = dir.user_groups.find(user);
      if (memberships != dir.user_groups.end()) {
        memberships->second.erase(group);
        if (memberships->second.empty()) dir.user_groups.erase(memberships);
      }
    }
    auto users = dir.user_connections.find(user);
    if (users != dir.user_connections.end())
      for (const auto& id : users->second) join_locked(id, connections_[id], group, pending);
  }
  apply(pending);
  co_return;
}

void LocalRouter::remove_user_membership_locked(HubDirectory& dir, const std::string& user,
                                                const std::string& group,
                                                std::vector<PendingJoin>& out) {
  auto memberships = dir.user_groups.find(user);
  if (memberships != dir.user_groups.end()) {
    memberships->second.erase(group);
    if (memberships->second.empty()) dir.user_groups.erase(memberships);
  }
  auto users = dir.user_connections.find(user);
  if (users == dir.user_connections.end()) return;
  for (const auto& id : users->second) leave_locked(id, connections_[id], group, out);
}

Task<void> LocalRouter::remove_user_from_group(std::string hub, std::string user,
                                               std::string group) {
  std::vector<PendingJoin> pending;
  {
    std::lock_guard lock(mutex_);
    auto dir = hubs_.find(hub);
    if (dir != hubs_.end()) remove_user_membership_locked(dir->second, user, group, pending);
  }
  apply(pending);
  co_return;
}

Task<void> LocalRouter::remove_user_from_all_groups(std::string hub, std::string user) {
  std::vector<PendingJoin> pending;
  {
    std::lock_guard lock(mutex_);
    auto dir_it = hubs_.find(hub);
    if (dir_it != hubs_.end()) {
      auto& dir = dir_it->second;
      dir.user_groups.erase(user);
      auto users = dir.user_connections.find(user);
      if (users != dir.user_connections.end()) {
        for (const auto& id : users->second) {
          auto& entry = connections_[id];
          std::vector<std::string> groups(entry.groups.begin(), entry.groups.end());
          for (const auto& group : groups) leave_locked(id, entry, group, pending);
        }
      }
    }
  }
  apply(pending);
  co_return;
}

Task<bool> LocalRouter::connection_exists(std::string hub, std::string connection_id) {
  std::lock_guard lock(mutex_);
  co_return find_connection(hub, connection_id) != nullptr;
}

Task<bool> LocalRouter::user_exists(std::string hub, std::string user) {
  std::lock_guard lock(mutex_);
  auto dir = hubs_.find(hub);
  co_return dir != hubs_.end() && dir->second.user_connections.count(user) > 0;
}

Task<bool> LocalRouter::group_exists(std::string hub, std::string group) {
  std::lock_guard lock(mutex_);
  auto dir = hubs_.find(hub);
  co_return dir != hubs_.end() && dir->second.group_connections.count(group) > 0;
}

Task<bool> LocalRouter::user_in_group(std::string hub, std::string user, std::string group) {
  std::lock_guard lock(mutex_);
  auto dir_it = hubs_.find(hub);
  if (dir_it == hubs_.end()) co_return false;
  auto& dir = dir_it->second;
  auto memberships = dir.user_groups.find(user);
  if (memberships != dir.user_groups.end()) {
    auto m = memberships->second.find(group);
    if (m != memberships->second.end() && membership_alive(m->second, SystemClock::now()))
      co_return true;
  }
  // A ttl=0 join leaves no stored membership but the user's connections are in the group.
  auto users = dir.user_connections.find(user);
  if (users != dir.user_connections.end())
    for (const auto& id : users->second)
      if (connections_[id].groups.count(group)) co_return true;
  co_return false;
}

Task<bool> LocalRouter::close_connection(std::string hub, std::string connection_id,
                                         std::string reason) {
  std::lock_guard lock(mutex_);
  if (!find_connection(hub, connection_id)) co_return false;
  close_locked({connection_id}, reason);
  co_return true;
}

Task<void> LocalRouter::close_all(std::string hub, Excluded excluded, std::string reason) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> victims;
  for (const auto& [id, entry] : connections_)
    if (entry.hub == hub && !service::is_excluded(excluded, id)) victims.push_back(id);
  close_locked(std::move(victims), reason);
  co_return;
}

Task<void> LocalRouter::close_group(std::string hub, std::string group, Excluded excluded,
                                    std::string reason) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> victims;
  auto dir = hubs_.find(hub);
  if (dir != hubs_.end()) {
    auto members = dir->second.group_connections.find(group);
    if (members != dir->second.group_connections.end())
      for (const auto& id : members->second)
        if (!service::is_excluded(excluded, id)) victims.push_back(id);
  }
  close_locked(std::move(victims), reason);
  co_return;
}

Task<void> LocalRouter::close_user(std::string hub, std::string user, Excluded excluded,
                                   std::string reason) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> victims;
  auto dir = hubs_.find(hub);
  if (dir != hubs_.end()) {
    auto users = dir->second.user_connections.find(user);
    if (users != dir->second.user_connections.end())
      for (const auto& id : users->second)
        if (!service::is_excluded(excluded, id)) victims.push_back(id);
  }
  close_locked(std::move(victims), reason);
  co_return;
}

void LocalRouter::sweep_expired(SystemClock::time_point now) {
  std::vector<PendingJoin> pending;
  {
    std::lock_guard lock(mutex_);
    while (!expiries_.empty() && expiries_.begin()->first <= now) {
      auto [hub, user, group] = expiries_.begin()->second;
      auto when = expiries_.begin()->first;
      expiries_.erase(expiries_.begin());
      auto dir = hubs_.find(hub);
      if (dir == hubs_.end()) continue;
      auto memberships = dir->second.user_groups.find(user);
      if (memberships == dir->second.user_groups.end()) continue;
      auto m = memberships->second.find(group);
      // Stale entry: the membership was renewed or made permanent since.
      if (m == memberships->second.end() || !m->second.expires || *m->second.expires != when)
        continue;
      remove_user_membership_locked(dir->second, user, group, pending);
    }
  }
  apply(pending);
}

}  // namespace switchboard::backplane
