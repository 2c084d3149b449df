// The one seam for "who receives this": sends to all / a user / a group / a connection, group
// membership (connections and users, with TTL), existence checks and closes. Two implementations:
// in-process (LocalRouter) and, for a cluster of nodes, Redis. Nothing above this interface may
// assume which one runs: every operation is asynchronous.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "service/client_connection.hpp"
#include "service/shard.hpp"

namespace switchboard::backplane {

using service::ClientConnection;
using service::Excluded;
using service::MessagePtr;
template <typename T>
using Task = boost::asio::awaitable<T>;

class HubRouter {
 public:
  virtual ~HubRouter() = default;

  // Lifecycle: start() once the shards' threads run (a router starts its own timers, such as
  // expiring memberships, and whatever connections it needs); stop() when the service stops
  // (safe from any thread; the timers end, nothing is delivered after). The service calls both.
  virtual void start() = 0;
  virtual void stop() = 0;

  // Connection lifecycle, called on the connection's own shard thread. Opening registers the
  // connection and joins the groups its user is a stored member of.
  virtual void connection_opened(const std::shared_ptr<ClientConnection>& connection) = 0;
  virtual void connection_closed(ClientConnection& connection) = 0;

  // Hub names are lower-cased by the caller; users, groups and connection ids are exact.
  virtual Task<void> send_to_all(std::string hub, MessagePtr message, Excluded excluded) = 0;
  virtual Task<void> send_to_user(std::string hub, std::string user, MessagePtr message) = 0;
  virtual Task<void> send_to_group(std::string hub, std::string group, MessagePtr message,
                                   Excluded excluded) = 0;
  virtual Task<void> send_to_connection(std::string hub, std::string connection_id,
                                        MessagePtr message) = 0;

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
