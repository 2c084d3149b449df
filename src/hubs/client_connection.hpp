// The transport-independent view of one client connection, as routing and the per-shard index
// see it, and the list of connection ids a send leaves out. Every member function runs on the
// connection's own shard thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "exec/shard.hpp"
#include "hubs/outbound_message.hpp"

namespace switchboard::hubs {

using Clock = std::chrono::steady_clock;

class ClientConnection : public exec::Flushable {
 public:
  ClientConnection(std::string id, std::string hub, std::string user, unsigned shard)
      : id_(std::move(id)), hub_(std::move(hub)), user_(std::move(user)), shard_(shard) {}
  virtual ~ClientConnection() = default;
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  const std::string& id() const { return id_; }
  const std::string& hub() const { return hub_; }    // lower-cased
  const std::string& user() const { return user_; }  // empty: anonymous
  unsigned shard() const { return shard_; }
  // What the dashboard shows of it: the transport ("WebSockets", "ServerSentEvents",
  // "LongPolling") and the hub protocol ("json", "messagepack"); static strings, empty when
  // unknown. Read on the shard thread once the hub handshake is done.
  virtual std::string_view transport_name() const { return {}; }
  virtual std::string_view protocol_name() const { return {}; }

  // Queues an already-encoded message; never blocks. The write happens in flush_deferred().
  // Once close() was called, sends are dropped: nothing goes out after the Close (a router may
  // post a send to a connection whose close was posted before it).
  virtual void send(const MessagePtr& message) = 0;
  // Writes what send() queued: the shard calls it once after a burst of sends (see
  // exec::Shard::defer_flush), so that every message of the burst goes out in one write.
  void flush_deferred() override = 0;
  // Sends a Close message (with `error` when not empty) and closes the transport.
  virtual void close(std::string_view error, bool allow_reconnect) = 0;
  // Called about every second by the shard: pings, client timeout, handshake timeout.
  virtual void tick(Clock::time_point now) = 0;

  // Groups this connection is in; owned by the shard thread. Most connections are in none, so
  // the set is made on the first join (an empty unordered_set is 56 bytes).
  using GroupSet = std::unordered_set<std::string>;
  const GroupSet* groups_if_any() const { return groups_.get(); }
  GroupSet& groups() {
    if (!groups_) groups_ = std::make_unique<GroupSet>();
    return *groups_;
  }
  void clear_groups() { groups_.reset(); }

  // Its place in its shard's dense list of the hub's connections (backplane::ShardIndex).
  std::uint32_t index_slot() const { return index_slot_; }
  void set_index_slot(std::uint32_t slot) { index_slot_ = slot; }

 private:
  std::string id_;
  std::string hub_;
  std::string user_;
  unsigned shard_;
  std::uint32_t index_slot_ = 0;
  std::unique_ptr<GroupSet> groups_;
};

using Excluded = std::vector<std::string>;

inline bool is_excluded(const Excluded& excluded, const std::string& connection_id) {
  return std::find(excluded.begin(), excluded.end(), connection_id) != excluded.end();
}

}  // namespace switchboard::hubs
