// The connections that live on one shard, indexed by hub, user and group, so that a delivery
// posted to the shard walks only local connections, with no lock; and the heartbeat that ticks
// them. Every member function except the constructor runs on the shard's own thread.
// Memory (issue 16): a connection's id and user are not copied here; the keys are views of the
// connection's own strings, which live as long as the index holds the connection. A hub's
// connections are a dense list (each connection knows its slot), not a map.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "exec/shard.hpp"
#include "hubs/client_connection.hpp"

namespace switchboard::backplane {

using hubs::ClientConnection;
using hubs::Excluded;
using hubs::MessagePtr;

class ShardIndex {
 public:
  explicit ShardIndex(exec::Shard& shard);
  ShardIndex(const ShardIndex&) = delete;
  ShardIndex& operator=(const ShardIndex&) = delete;

  exec::Shard& shard() { return shard_; }

  // Starts the heartbeat that calls tick() on every connection each `period`.
  void start_heartbeat(std::chrono::milliseconds period);
  void stop_heartbeat();

  // A connection that is not routed yet (before its hub handshake): ticked, never delivered to.
  void watch(const std::shared_ptr<ClientConnection>& connection);
  // Routed from now on, with the groups it starts in (and no longer only watched).
  void attach(const std::shared_ptr<ClientConnection>& connection,
              const std::vector<std::string>& groups);
  // Out of the index, routed or watched.
  void detach(ClientConnection& connection);
  std::size_t connection_count() const { return by_id_.size(); }

  void deliver_all(const std::string& hub, const MessagePtr& message, const Excluded& excluded);
  void deliver_user(const std::string& hub, const std::string& user, const MessagePtr& message);
  void deliver_group(const std::string& hub, const std::string& group, const MessagePtr& message,
                     const Excluded& excluded);
  // Only when the connection is in `hub`.
  void deliver_connection(const std::string& hub, const std::string& connection_id,
                          const MessagePtr& message);

  void join_group(const std::string& connection_id, const std::string& group);
  void leave_group(const std::string& connection_id, const std::string& group);

  void close_connection(const std::string& connection_id, const std::string& reason);
  // Shutdown: every connection gets a Close (allowing reconnect when asked).
  void close_everything(const std::string& reason, bool allow_reconnect);

 private:
  struct HubIndex {
    std::vector<ClientConnection*> connections;  // connection->index_slot() is its place
    std::unordered_multimap<std::string_view, ClientConnection*> users;  // key: its user()
    std::unordered_map<std::string, std::unordered_set<ClientConnection*>> groups;
  };

  HubIndex* find_hub(const std::string& hub);
  ClientConnection* find(const std::string& connection_id);
  void on_heartbeat();

  exec::Shard& shard_;
  boost::asio::steady_timer heartbeat_;
  std::chrono::milliseconds heartbeat_period_{1000};
  bool heartbeat_running_ = false;
  std::unordered_map<std::string, HubIndex> hubs_;
  // Key: the connection's id().
  std::unordered_map<std::string_view, std::shared_ptr<ClientConnection>> by_id_;
  std::unordered_map<ClientConnection*, std::shared_ptr<ClientConnection>> watched_;
};

}  // namespace switchboard::backplane
