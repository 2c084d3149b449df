// The one seam for "who receives this": sends to all / a user / a group / a connection, group
// membership (connections and users, with TTL), existence checks and closes. Two implementations:
// in-process (LocalRouter) and, for a cluster of nodes, Redis (RedisRouter). Nothing above this
// interface may assume which one runs: every operation is asynchronous, and one that needs
// cluster state it cannot reach throws Unavailable.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "backplane/local_directory.hpp"
#include "hubs/client_connection.hpp"

namespace switchboard::backplane {

template <typename T>
using Task = boost::asio::awaitable<T>;

// The cluster's shared state cannot be reached now (the REST API answers 503).
class Unavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What /api/health reports about routing.
struct RouterStatus {
  bool clustered = false;
  bool healthy = true;  // a cluster node: its Redis is reachable
  std::string node_id;
  std::size_t connections = 0;  // on this node
};

class HubRouter {
 public:
  virtual ~HubRouter() = default;

  // Lifecycle: start() once the shards' threads run (a router starts its own timers, such as
  // expiring memberships, and whatever connections it needs); stop() when the service stops
  // (safe from any thread; the timers end, nothing is delivered after). The service calls both.
  virtual void start() = 0;
  virtual void stop() = 0;

  // The connections of this node (heartbeats, shutdown, counts).
  virtual LocalDirectory& local() = 0;
  virtual RouterStatus status() = 0;
  // Where a negotiate at this node should send its client instead (the public URL of a
  // less-loaded node), or nullopt to serve it here.
  virtual std::optional<std::string> redirect_target() { return std::nullopt; }

  // Connection lifecycle. Opening (on the connection's shard thread) registers the connection
  // and joins the groups its user is a stored member of; once it completes, the connection is
  // visible to every node. Closing runs on the shard thread and does not wait.
  virtual Task<void> connection_opened(std::shared_ptr<ClientConnection> connection) = 0;
  virtual void connection_closed(ClientConnection& connection) = 0;

  // Hub names are lower-cased by the caller; users, groups and connection ids are exact.
  virtual Task<void> send_to_all(std::string hub, MessagePtr message, Excluded excluded) = 0;
  virtual Task<void> send_to_user(std::string hub, std::string user, MessagePtr message) = 0;
  virtual Task<void> send_to_group(std::string hub, std::string group, MessagePtr message,
                                   Excluded excluded) = 0;
  virtual Task<void> send_to_connection(std::string hub, std::string connection_id,
                                        MessagePtr message) = 0;

  // The same four sends done at once, for a router whose sends need nothing from other nodes
  // (LocalRouter: a send only posts to the recipients' shards, as the Task forms do): sends_now()
  // says whether it is one, and send_now() then does a send (`name`: the user, group or connection
  // id; empty for All), in the order of the calls like the Task forms. A router that must wait
  // (RedisRouter) keeps the defaults and callers use the Task forms; its send_now() throws.
  enum class SendScope { All, User, Group, Connection };
  virtual bool sends_now() const { return false; }
  virtual void send_now(SendScope /*scope*/, const std::string& /*hub*/,
                        const std::string& /*name*/, const MessagePtr& /*message*/,
                        Excluded /*excluded*/) {
    throw std::logic_error("send_now() on a router whose sends must wait");
  }

  // False when the connection does not exist in that hub.
  virtual Task<bool> add_connection_to_group(std::string hub, std::string connection_id,
                                             std::string group) = 0;
  virtual Task<bool> remove_connection_from_group(std::string hub, std::string connection_id,
                                                  std::string group) = 0;
  virtual Task<bool> remove_connection_from_all_groups(std::string hub,
                                                       std::string connection_id) = 0;
  // ttl: nullopt keeps the membership (up to a year, 100 most recent per user); 0 joins only the
  // user's current connections; N > 0 expires the membership after N seconds.
  virtual Task<void> add_user_to_group(std::string hub, std::string user, std::string group,
                                       std::optional<std::chrono::seconds> ttl) = 0;
  virtual Task<void> remove_user_from_group(std::string hub, std::string user,
                                            std::string group) = 0;
  virtual Task<void> remove_user_from_all_groups(std::string hub, std::string user) = 0;

  virtual Task<bool> connection_exists(std::string hub, std::string connection_id) = 0;
  virtual Task<bool> user_exists(std::string hub, std::string user) = 0;
  virtual Task<bool> group_exists(std::string hub, std::string group) = 0;
  virtual Task<bool> user_in_group(std::string hub, std::string user, std::string group) = 0;

  // False when the connection does not exist in that hub.
  virtual Task<bool> close_connection(std::string hub, std::string connection_id,
                                      std::string reason) = 0;
  virtual Task<void> close_all(std::string hub, Excluded excluded, std::string reason) = 0;
  virtual Task<void> close_group(std::string hub, std::string group, Excluded excluded,
                                 std::string reason) = 0;
  virtual Task<void> close_user(std::string hub, std::string user, Excluded excluded,
                                std::string reason) = 0;
};

}  // namespace switchboard::backplane
