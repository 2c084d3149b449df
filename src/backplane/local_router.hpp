// In-process HubRouter: the node's LocalDirectory is the whole truth, plus the stored user->group
// memberships (with their TTL and the 100-permanent-groups rule) and the timer that expires them.
#pragma once

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "backplane/hub_router.hpp"

namespace switchboard::backplane {

class LocalRouter final : public HubRouter {
 public:
  explicit LocalRouter(const std::vector<exec::Shard*>& shards);
  ~LocalRouter() override;

  // Starts / stops the sweep of expired memberships (every 250 ms, on the first shard).
  void start() override;
  void stop() override;
  LocalDirectory& local() override { return directory_; }
  RouterStatus status() override;

  Task<void> connection_opened(std::shared_ptr<ClientConnection> connection) override;
  void connection_closed(ClientConnection& connection) override;

  bool sends_now() const override { return true; }
  void send_now(SendScope scope, const std::string& hub, const std::string& name,
                const MessagePtr& message, Excluded excluded) override;
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
  struct Membership {
    std::optional<SystemClock::time_point> expires;  // nullopt: permanent (a year)
    SystemClock::time_point updated;
  };
  // (hub, user) -> group -> membership
  using UserKey = std::pair<std::string, std::string>;
  struct UserKeyHash {
    std::size_t operator()(const UserKey& k) const {
      return std::hash<std::string>()(k.first) * 31 + std::hash<std::string>()(k.second);
    }
  };

  // Under mutex_ (taken before the directory's own lock, never after).
  std::vector<std::string> stored_groups_locked(const UserKey& key, SystemClock::time_point now);
  void forget_membership_locked(const UserKey& key, const std::string& group);
  void schedule_sweep();

  LocalDirectory directory_;
  exec::Shard& timer_shard_;
  std::mutex mutex_;
  std::unordered_map<UserKey, std::unordered_map<std::string, Membership>, UserKeyHash>
      memberships_;
  // expiry time -> (hub, user, group), for sweep_expired
  std::multimap<SystemClock::time_point, std::tuple<std::string, std::string, std::string>>
      expiries_;
  std::unique_ptr<boost::asio::steady_timer> sweep_timer_;
  std::atomic<bool> stopping_{false};
};

}  // namespace switchboard::backplane
