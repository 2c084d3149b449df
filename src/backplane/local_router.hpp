// In-process HubRouter: a directory of connections, users, groups and stored user->group
// memberships (under one mutex, off the per-recipient path), with every delivery posted to the
// shards that hold the recipients, which fan out with no lock.
#pragma once

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "backplane/hub_router.hpp"

namespace switchboard::backplane {

class LocalRouter final : public HubRouter {
 public:
  explicit LocalRouter(std::vector<service::Shard*> shards);
  ~LocalRouter() override;

  // Starts / stops the sweep of expired memberships (every 250 ms, on the first shard).
  void start() override;
  void stop() override;

  void connection_opened(const std::shared_ptr<ClientConnection>& connection) override;
  void connection_closed(ClientConnection& connection) override;

  Task<void> send_to_all(std::string hub, MessagePtr message, Excluded excluded) override;
  Task<void> send_to_user(std::string hub, std::string user, MessagePtr message) override;
  Task<void> send_to_group(std::string hub, std::string group, MessagePtr message,
                           Excluded excluded) override;
  Task<void> send_to_connection(std::string hub, std::string connection_id,
                                MessagePtr message) override;

  Task<bool> add_connection_to_group(std::string hub, std::string connection_id,
                                     std::string group) override;
  Task<bool> remove_connection_from_group(std::string hub, std::string connection_id,
                                          std::string group) override;
  Task<bool> remove_connection_from_all_groups(std::string hub, std::string connection_id) override;
  Task<void> add_user_to_group(std::string hub, std::string user, std::string group,
                               std::optional<std::chrono::seconds> ttl) override;
  Task<void> remove_user_from_group(std::string hub, std::string user, std::string group) override;
  Task<void> remove_user_from_all_groups(std::string hub, std::string user) override;

  Task<bool> connection_exists(std::string hub, std::string connection_id) override;
  Task<bool> user_exists(std::string hub, std::string user) override;
  Task<bool> group_exists(std::string hub, std::string group) override;
  Task<bool> user_in_group(std::string hub, std::string user, std::string group) override;

  Task<bool> close_connection(std::string hub, std::string connection_id,
                              std::string reason) override;
  Task<void> close_all(std::string hub, Excluded excluded, std::string reason) override;
  Task<void> close_group(std::string hub, std::string group, Excluded excluded,
                         std::string reason) override;
  Task<void> close_user(std::string hub, std::string user, Excluded excluded,
                        std::string reason) override;

  // Expires TTL memberships whose time has come (the router's own timer calls it).
  void sweep_expired(std::chrono::system_clock::time_point now);

  static constexpr std::size_t kMaxPermanentGroupsPerUser = 100;

 private:
  using SystemClock = std::chrono::system_clock;
  struct ConnectionEntry {
    std::string hub;
    std::string user;
    unsigned shard = 0;
    std::unordered_set<std::string> groups;
  };
  struct Membership {
    std::optional<SystemClock::time_point> expires;  // nullopt: permanent (a year)
    SystemClock::time_point updated;
  };
  struct HubDirectory {
    std::unordered_map<std::string, std::unordered_set<std::string>> user_connections;
    std::unordered_map<std::string, std::unordered_set<std::string>> group_connections;
    // user -> group -> membership
    std::unordered_map<std::string, std::unordered_map<std::string, Membership>> user_groups;
  };
  struct PendingJoin {
    unsigned shard;
    std::string connection_id;
    std::string group;
    bool join;
  };

  // All below expect mutex_ held.
  ConnectionEntry* find_connection(const std::string& hub, const std::string& connection_id);
  void join_locked(const std::string& connection_id, ConnectionEntry& entry,
                   const std::string& group, std::vector<PendingJoin>& out);
  void leave_locked(const std::string& connection_id, ConnectionEntry& entry,
                    const std::string& group, std::vector<PendingJoin>& out);
  void remove_user_membership_locked(HubDirectory& dir, const std::string& user,
                                     const std::string& group, std::vector<PendingJoin>& out);
  void remove_entry_locked(const std::string& connection_id);
  void close_locked(std::vector<std::string> victims, const std::string& reason);
  bool membership_alive(const Membership& m, SystemClock::time_point now) const;
  void apply(std::vector<PendingJoin>& pending);
  void post_all(auto&& make_handler);

  std::vector<service::Shard*> shards_;
  std::mutex mutex_;
  std::unordered_map<std::string, ConnectionEntry> connections_;
  std::unordered_map<std::string, HubDirectory> hubs_;
  // expiry time -> (hub, user, group), for sweep_expired
  std::multimap<SystemClock::time_point, std::tuple<std::string, std::string, std::string>>
      expiries_;
  // The sweep timer, on the first shard's thread.
  void schedule_sweep();
  std::unique_ptr<boost::asio::steady_timer> sweep_timer_;
  std::atomic<bool> stopping_{false};
};

}  // namespace switchboard::backplane
