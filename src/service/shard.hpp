// One thread's share of the service: its io_context and the index of the connections that live on
// it (by hub, user and group), so that a send posted to the shard walks only local connections,
// with no lock. Every member function except io()/index()/post() runs on the shard's own thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "service/client_connection.hpp"

namespace switchboard::service {

using Excluded = std::vector<std::string>;

class Shard {
 public:
  explicit Shard(unsigned index);
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  unsigned index() const { return index_; }
  // The shard whose thread is running, or nullptr on other threads.
  static Shard* current();
  // Runs the io_context on the calling thread until stopped (marks the thread as this shard's).
  void run();
  boost::asio::io_context& io() { return io_; }
  template <typename F>
  void post(F&& f) {
    boost::asio::post(io_, std::forward<F>(f));
  }

  // Starts the heartbeat that calls tick() on every connection each `period`.
  void start_heartbeat(std::chrono::milliseconds period);
  void stop_heartbeat();

  void attach(const std::shared_ptr<ClientConnection>& connection,
              const std::vector<std::string>& groups);
  void detach(ClientConnection& connection);
  std::size_t connection_count() const { return by_id_.size(); }

  // Calls connection->flush_deferred() after the handlers queued now have run, so that a burst
  // of sends to one connection becomes one write. Long lists are flushed in slices, letting new
  // requests in between: their messages join the writes still to come.
  void defer_flush(std::shared_ptr<ClientConnection> connection);

  void deliver_all(const std::string& hub, const MessagePtr& message, const Excluded& excluded);
  void deliver_user(const std::string& hub, const std::string& user, const MessagePtr& message);
  void deliver_group(const std::string& hub, const std::string& group, const MessagePtr& message,
                     const Excluded& excluded);
  void deliver_connection(const std::string& connection_id, const MessagePtr& message);

  void join_group(const std::string& connection_id, const std::string& group);
  void leave_group(const std::string& connection_id, const std::string& group);
  void leave_all_groups(const std::string& connection_id);

  void close_connection(const std::string& connection_id, const std::string& reason);
  // Shutdown: every connection gets a Close (allowing reconnect when asked).
  void close_everything(const std::string& reason, bool allow_reconnect);

 private:
  struct HubIndex {
    std::unordered_map<std::string, ClientConnection*> connections;
    std::unordered_map<std::string, std::vector<ClientConnection*>> users;
    std::unordered_map<std::string, std::unordered_set<ClientConnection*>> groups;
  };

  HubIndex* find_hub(const std::string& hub);
  ClientConnection* find(const std::string& connection_id);
  void on_heartbeat();
  void run_deferred_flushes();

  unsigned index_;
  boost::asio::io_context io_;
  boost::asio::steady_timer heartbeat_;
  std::chrono::milliseconds heartbeat_period_{1000};
  bool heartbeat_running_ = false;
  std::unordered_map<std::string, HubIndex> hubs_;
  std::unordered_map<std::string, std::shared_ptr<ClientConnection>> by_id_;
  std::vector<std::shared_ptr<ClientConnection>> deferred_;
  std::size_t deferred_next_ = 0;
  bool deferred_posted_ = false;
};

bool is_excluded(const Excluded& excluded, const std::string& connection_id);

}  // namespace switchboard::service
