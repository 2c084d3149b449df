// The HubRouter of a cluster node: the node's own connections in its LocalDirectory, and what
// other nodes must know in Redis (see redis_scripts.hpp). Every send goes through Redis, also to
// the node's own clients (one publish per broadcast, one publish per node holding a user, a group
// or a connection), so that one caller's sends reach a client in the order they were made, from
// whichever node. Each node decodes a message once and fans it out on its shards.
//
// A membership change or close that another node applies is answered only once every node that
// received its notice acknowledged it (an Ack on this node's channel): a change that no node heard
// of (Redis lost, a node's subscriber link dropped with the notice still in Redis's buffer) answers
// Unavailable instead of a success nobody can vouch for.
//
// Redis lost: the node keeps serving its own clients (sends are delivered locally, at most once),
// and refuses what needs the cluster (Unavailable); when Redis comes back the node registers its
// live connections again. Its own thread runs the Redis connections, the heartbeat and the sweep
// of expired memberships.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "backplane/cluster_options.hpp"
#include "backplane/hub_router.hpp"
#include "backplane/stored_user_groups.hpp"
#include "backplane/wire_message.hpp"
#include "redis/redis_connection.hpp"
#include "redis/redis_subscriber.hpp"

namespace switchboard::backplane {

class RedisRouter final : public HubRouter {
 public:
  // `public_url`: where clients reach this node (the balance redirects here).
  RedisRouter(const ClusterOptions& options, redis::RedisUrl redis_url, std::string public_url,
              const std::vector<exec::Shard*>& shards);
  ~RedisRouter() override;

  // Connects to Redis (waiting up to the connect timeout, logging each failed attempt; throws
  // std::runtime_error when it never came up), subscribes and starts the timers.
  void start() override;
  // Forgets this node's connections in Redis (so other nodes know at once) and disconnects.
  void stop() override;
  LocalDirectory& local() override { return directory_; }
  RouterStatus status() override;
  std::optional<std::string> redirect_target() override;
  const std::string& node_id() const { return node_id_; }

  Task<void> connection_opened(std::shared_ptr<ClientConnection> connection) override;
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

  static constexpr std::size_t kMaxPermanentGroupsPerUser = 100;

 private:
  using Args = std::vector<std::string>;
  Task<redis::Reply> call(const redis::Script& script, Args args);  // EVALSHA on the commands link
  Task<redis::Reply> command(Args args);
  // Both Redis connections up and the node registered: sends go through Redis.
  bool healthy() const;
  // A command that needs the cluster: Unavailable (the REST API's 503) when Redis is not there.
  Task<redis::Reply> cluster_call(const redis::Script& script, std::vector<std::string> args);
  Task<redis::Reply> cluster_command(std::vector<std::string> args);
  // A change other nodes learn of from the notices its script (or, with no script, the PUBLISH
  // of `notice` on its hub's channel) sends them: answered once every node that received a
  // notice acknowledged it, Unavailable when that does not happen within kAckTimeout or Redis is
  // lost first. Runs on the Redis thread (acknowledged_change does the work there).
  Task<redis::Reply> cluster_change(const redis::Script& script, std::vector<std::string> args);
  Task<void> cluster_notice(WireMessage notice);
  Task<redis::Reply> acknowledged_change(const redis::Script* script, std::vector<std::string> args,
                                         WireMessage notice);
  // Tells the node that asked: applied. `closed`: this node's connections the notice closed,
  // forgotten in Redis first, so that no node finds them once the change is answered.
  void acknowledge(const WireMessage& notice, std::vector<std::string> closed);
  void on_ack(std::string_view id);
  void fail_acks();  // Redis lost: nothing waiting will be acknowledged
  // A send: published when healthy, else delivered to this node's own clients.
  Task<void> publish_send(const redis::Script* script, std::string channel_or_hub,
                          std::vector<std::string> args, WireMessage wire);
  // Consumes its frames; the connections of this node that a close of a hub's or a group's
  // connections took (Redis still lists them: the close's notice named none).
  std::vector<std::string> deliver_locally(WireMessage& wire);
  void on_message(std::string_view channel, std::string_view payload);
  void on_redis_state(bool up, const std::string& detail);
  Task<void> heartbeat_loop();
  Task<void> sweep_loop();
  // After (re)connecting: forget, then enter every live connection; when Redis lost its data
  // (sb:epoch changed), put back the stored user-group memberships of this node's users.
  Task<void> register_node();
  Task<bool> redis_lost_data();
  Task<void> restore_user_groups();
  void remember_user_groups(const WireMessage& notice);

  LocalDirectory directory_;
  std::string node_id_;
  std::string public_url_;
  ClusterOptions options_;
  redis::RedisUrl redis_url_;
  boost::asio::io_context io_;  // the Redis thread's
  std::thread thread_;
  std::shared_ptr<redis::Connection> commands_;
  std::shared_ptr<redis::Subscriber> subscriber_;
  std::atomic<bool> started_{false};  // start() has registered the node once
  std::atomic<bool> registered_{false};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> register_pending_{false};
  std::atomic<bool> dirty_{false};  // a connection opened while unregistered: register again

  // The Redis thread's: the sb:epoch value last seen, the stored memberships of this node's users.
  std::string epoch_;
  StoredUserGroups stored_user_groups_;

  // Changes waiting for their acknowledgements, by id (the Redis thread's).
  struct AckWait;
  std::uint64_t last_ack_id_ = 0;
  std::unordered_map<std::uint64_t, std::shared_ptr<AckWait>> acks_;

  // Load of every live node (from the heartbeat), for the balance.
  struct NodeLoad {
    std::string url;
    long long connections = 0;
  };
  std::mutex nodes_mutex_;
  std::map<std::string, NodeLoad> nodes_;
};

}  // namespace switchboard::backplane
