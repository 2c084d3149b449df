// In-process routing: see local_router.hpp.
#include "backplane/local_router.hpp"

namespace switchboard::backplane {

using SystemClock = std::chrono::system_clock;

LocalRouter::LocalRouter(const std::vector<exec::Shard*>& shards)
    : directory_(shards), timer_shard_(*shards.front()) {}

LocalRouter::~LocalRouter() = default;

void LocalRouter::start() {
  sweep_timer_ = std::make_unique<boost::asio::steady_timer>(timer_shard_.io());
  timer_shard_.post([this] { schedule_sweep(); });
}

void LocalRouter::stop() {
  if (stopping_.exchange(true)) return;
  timer_shard_.post([this] {
    if (sweep_timer_) sweep_timer_->cancel();
  });
}

RouterStatus LocalRouter::status() {
  RouterStatus status;
  status.connections = directory_.connection_count();
  return status;
}

void LocalRouter::schedule_sweep() {
  sweep_timer_->expires_after(std::chrono::milliseconds(250));
  sweep_timer_->async_wait([this](boost::system::error_code ec) {
    if (ec || stopping_) return;
    sweep_expired(SystemClock::now());
    schedule_sweep();
  });
}

std::vector<std::string> LocalRouter::stored_groups_locked(const UserKey& key,
                                                           SystemClock::time_point now) {
  std::vector<std::string> groups;
  auto it = memberships_.find(key);
  if (it == memberships_.end()) return groups;
  for (const auto& [group, m] : it->second)
    if (!m.expires || *m.expires > now) groups.push_back(group);
  return groups;
}

void LocalRouter::forget_membership_locked(const UserKey& key, const std::string& group) {
  auto it = memberships_.find(key);
  if (it != memberships_.end()) {
    it->second.erase(group);
    if (it->second.empty()) memberships_.erase(it);
  }
  directory_.leave_user(key.first, key.second, group);
}

Task<void> LocalRouter::connection_opened(std::shared_ptr<ClientConnection> connection) {
  std::lock_guard lock(mutex_);
  std::vector<std::string> groups;
  if (!connection->user().empty())
    groups = stored_groups_locked({connection->hub(), connection->user()}, SystemClock::now());
  directory_.add(connection, groups);
  co_return;
}

void LocalRouter::connection_closed(ClientConnection& connection) {
  directory_.remove(connection);
}

void LocalRouter::send_now(SendScope scope, const std::string& hub, const std::string& name,
                           const MessagePtr& message, Excluded excluded) {
  switch (scope) {
    case SendScope::All:
      directory_.deliver_all(hub, message, std::make_shared<const Excluded>(std::move(excluded)));
      return;
    case SendScope::User:
      directory_.deliver_user(hub, name, message);
      return;
    case SendScope::Group:
      directory_.deliver_group(hub, name, message,
                               std::make_shared<const Excluded>(std::move(excluded)));
      return;
    case SendScope::Connection:
      directory_.deliver_connection(hub, name, message);
      return;
  }
}

Task<void> LocalRouter::send_to_all(std::string hub, MessagePtr message, Excluded excluded) {
  send_now(SendScope::All, hub, {}, message, std::move(excluded));
  co_return;
}

Task<void> LocalRouter::send_to_user(std::string hub, std::string user, MessagePtr message) {
  send_now(SendScope::User, hub, user, message, {});
  co_return;
}

Task<void> LocalRouter::send_to_group(std::string hub, std::string group, MessagePtr message,
                                      Excluded excluded) {
  send_now(SendScope::Group, hub, group, message, std::move(excluded));
  co_return;
}

Task<void> LocalRouter::send_to_connection(std::string hub, std::string connection_id,
                                           MessagePtr message) {
  send_now(SendScope::Connection, hub, connection_id, message, {});
  co_return;
}

Task<bool> LocalRouter::add_connection_to_group(std::string hub, std::string connection_id,
                                                std::string group) {
  co_return directory_.join(hub, connection_id, group);
}

Task<bool> LocalRouter::remove_connection_from_group(std::string hub, std::string connection_id,
                                                     std::string group) {
  co_return directory_.leave(hub, connection_id, group);
}

Task<bool> LocalRouter::remove_connection_from_all_groups(std::string hub,
                                                          std::string connection_id) {
  co_return directory_.leave_all(hub, connection_id).has_value();
}

Task<void> LocalRouter::add_user_to_group(std::string hub, std::string user, std::string group,
                                          std::optional<std::chrono::seconds> ttl) {
  std::lock_guard lock(mutex_);
  auto now = SystemClock::now();
  UserKey key{hub, user};
  if (!ttl || ttl->count() > 0) {
    auto& memberships = memberships_[key];
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
        forget_membership_locked(key, evicted);
        --permanent;
      }
    }
  } else {
    // ttl=0: only the current connections join; nothing is stored for future ones, and an
    // earlier stored membership of the same group is replaced.
    auto it = memberships_.find(key);
    if (it != memberships_.end()) {
      it->second.erase(group);
      if (it->second.empty()) memberships_.erase(it);
    }
  }
  directory_.join_user(hub, user, group);
  co_return;
}

Task<void> LocalRouter::remove_user_from_group(std::string hub, std::string user,
                                               std::string group) {
  std::lock_guard lock(mutex_);
  forget_membership_locked({hub, user}, group);
  co_return;
}

Task<void> LocalRouter::remove_user_from_all_groups(std::string hub, std::string user) {
  std::lock_guard lock(mutex_);
  memberships_.erase({hub, user});
  directory_.leave_user_all(hub, user);
  co_return;
}

Task<bool> LocalRouter::connection_exists(std::string hub, std::string connection_id) {
  co_return directory_.has_connection(hub, connection_id);
}

Task<bool> LocalRouter::user_exists(std::string hub, std::string user) {
  co_return directory_.has_user(hub, user);
}

Task<bool> LocalRouter::group_exists(std::string hub, std::string group) {
  co_return directory_.has_group(hub, group);
}

Task<bool> LocalRouter::user_in_group(std::string hub, std::string user, std::string group) {
  {
    std::lock_guard lock(mutex_);
    auto it = memberships_.find({hub, user});
    if (it != memberships_.end()) {
      auto m = it->second.find(group);
      if (m != it->second.end() && (!m->second.expires || *m->second.expires > SystemClock::now()))
        co_return true;
    }
  }
  // A ttl=0 join leaves no stored membership but the user's connections are in the group.
  co_return directory_.user_connection_in_group(hub, user, group);
}

Task<bool> LocalRouter::close_connection(std::string hub, std::string connection_id,
                                         std::string reason) {
  co_return directory_.close_connection(hub, connection_id, reason);
}

Task<void> LocalRouter::close_all(std::string hub, Excluded excluded, std::string reason) {
  directory_.close_all(hub, excluded, reason);
  co_return;
}

Task<void> LocalRouter::close_group(std::string hub, std::string group, Excluded excluded,
                                    std::string reason) {
  directory_.close_group(hub, group, excluded, reason);
  co_return;
}

Task<void> LocalRouter::close_user(std::string hub, std::string user, Excluded excluded,
                                   std::string reason) {
  directory_.close_user(hub, user, excluded, reason);
  co_return;
}

void LocalRouter::sweep_expired(SystemClock::time_point now) {
  std::lock_guard lock(mutex_);
  while (!expiries_.empty() && expiries_.begin()->first <= now) {
    auto [hub, user, group] = expiries_.begin()->second;
    auto when = expiries_.begin()->first;
    expiries_.erase(expiries_.begin());
    UserKey key{hub, user};
    auto it = memberships_.find(key);
    if (it == memberships_.end()) continue;
    auto m = it->second.find(group);
    // Stale entry: the membership was renewed or made permanent since.
    if (m == it->second.end() || !m->second.expires || *m->second.expires != when) continue;
    forget_membership_locked(key, group);
  }
}

}  // namespace switchboard::backplane
