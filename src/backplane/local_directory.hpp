// The node's own connections: which connections, users and groups this process holds (one map
// under one mutex, off the per-recipient path) and one ShardIndex per shard that fans out with no
// lock. Both routers use it: the local router as the whole truth, the Redis router as the part of
// the cluster that lives here. Every function is safe from any thread unless it says otherwise;
// deliveries and membership changes are posted to the shards that hold the connections, in the
// order the calls were made (with one shard, user and connection sends without a lookup here).
// Memory (issue 16): an entry is the connection's address and its groups (made on the first
// join); the keys are views of the connection's own id and user, never copies. A connection is in
// the directory only between add() and remove() (or a close), while it is alive: its id, hub and
// user never change, so they are read from any thread under the mutex.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "backplane/shard_index.hpp"

namespace switchboard::backplane {

// One connection as the directory knows it (for re-registering the node after a Redis restart).
struct ConnectionRecord {
  std::string id;
  std::string hub;
  std::string user;
  std::vector<std::string> groups;
  std::string_view transport;  // ClientConnection::transport_name() (static strings)
  std::string_view protocol;   // ClientConnection::protocol_name()
};

class LocalDirectory {
 public:
  explicit LocalDirectory(const std::vector<exec::Shard*>& shards);
  ~LocalDirectory();

  // The heartbeat of every shard; at shutdown every connection is told to close (reconnect
  // allowed) and the heartbeats stop.
  void start_heartbeats(std::chrono::milliseconds period);
  void shutdown(const std::string& reason);
  std::size_t connection_count() const { return count_.load(std::memory_order_relaxed); }

  // On the connection's own shard thread: a connection before its hub handshake, ticked by the
  // heartbeat but not routed (unwatch when it ends before add).
  void watch(const std::shared_ptr<ClientConnection>& connection);
  void unwatch(ClientConnection& connection);
  // On the connection's own shard thread: enters the connection with the groups it starts in;
  // removes it (nothing when a close already did). remove() returns the record it removed.
  void add(const std::shared_ptr<ClientConnection>& connection,
           const std::vector<std::string>& groups);
  std::optional<ConnectionRecord> remove(ClientConnection& connection);

  void deliver_all(const std::string& hub, const MessagePtr& message,
                   std::shared_ptr<const Excluded> excluded);
  void deliver_user(const std::string& hub, const std::string& user, const MessagePtr& message);
  void deliver_group(const std::string& hub, const std::string& group, const MessagePtr& message,
                     std::shared_ptr<const Excluded> excluded);
  void deliver_connection(const std::string& hub, const std::string& connection_id,
                          const MessagePtr& message);

  // False when the connection is not here (in that hub). leave_all gives the groups it left.
  bool join(const std::string& hub, const std::string& connection_id, const std::string& group);
  bool leave(const std::string& hub, const std::string& connection_id, const std::string& group);
  std::optional<std::vector<std::string>> leave_all(const std::string& hub,
                                                    const std::string& connection_id);
  // Every connection of the user here joins / leaves; the ids that changed.
  std::vector<std::string> join_user(const std::string& hub, const std::string& user,
                                     const std::string& group);
  std::vector<std::string> leave_user(const std::string& hub, const std::string& user,
                                      const std::string& group);
  // Every connection of the user here leaves every group; (connection id, group) pairs left.
  std::vector<std::pair<std::string, std::string>> leave_user_all(const std::string& hub,
                                                                  const std::string& user);

  bool has_connection(const std::string& hub, const std::string& connection_id);
  bool has_user(const std::string& hub, const std::string& user);
  bool has_group(const std::string& hub, const std::string& group);
  // Whether one of the user's connections here is in the group.
  bool user_connection_in_group(const std::string& hub, const std::string& user,
                                const std::string& group);
  std::optional<ConnectionRecord> find(const std::string& hub, const std::string& connection_id);
  std::vector<ConnectionRecord> snapshot();

  // Closes: the connections leave the directory at once (checks answer "not there" as soon as
  // the call returns), then their shards send the Close and end the transports. The ids closed.
  bool close_connection(const std::string& hub, const std::string& connection_id,
                        const std::string& reason);
  std::vector<std::string> close_all(const std::string& hub, const Excluded& excluded,
                                     const std::string& reason);
  std::vector<std::string> close_group(const std::string& hub, const std::string& group,
                                       const Excluded& excluded, const std::string& reason);
  std::vector<std::string> close_user(const std::string& hub, const std::string& user,
                                      const Excluded& excluded, const std::string& reason);

 private:
  struct Entry {
    ClientConnection* connection = nullptr;
    std::unique_ptr<std::unordered_set<std::string>> groups;
  };
  struct HubEntries {
    std::unordered_multimap<std::string_view, Entry*> user_connections;  // key: user()
    std::unordered_map<std::string, std::unordered_set<Entry*>> group_connections;
  };
  struct Change {
    unsigned shard;
    std::string connection_id;
    std::string group;
    bool join;
  };

  static ConnectionRecord record_of(const Entry& entry);
  static const std::string& id_of(const Entry* entry) { return entry->connection->id(); }
  // All below expect mutex_ held.
  Entry* find_locked(const std::string& hub, const std::string& connection_id);
  // The user's entries in the hub.
  std::vector<Entry*> user_entries_locked(const std::string& hub, const std::string& user);
  bool join_locked(Entry& entry, const std::string& group, std::vector<Change>& out);
  bool leave_locked(Entry& entry, const std::string& group, std::vector<Change>& out);
  void erase_locked(const std::string& connection_id);
  // join_user / leave_user: every connection of the user here joins or leaves.
  std::vector<std::string> change_user(const std::string& hub, const std::string& user,
                                       const std::string& group, bool join);
  std::vector<std::string> close_locked(std::vector<std::string> victims,
                                        const std::string& reason);
  void apply(std::vector<Change>& changes);
  void post_all(auto&& make_handler);

  std::vector<std::unique_ptr<ShardIndex>> indexes_;
  std::mutex mutex_;
  std::unordered_map<std::string_view, Entry> connections_;  // key: the connection's id()
  std::unordered_map<std::string, HubEntries> hubs_;
  std::atomic<std::size_t> count_{0};
};

}  // namespace switchboard::backplane
