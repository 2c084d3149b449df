// Per-thread connection index and local fan-out: see shard.hpp.
#include "service/shard.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>

namespace switchboard::service {

bool is_excluded(const Excluded& excluded, const std::string& connection_id) {
  return std::find(excluded.begin(), excluded.end(), connection_id) != excluded.end();
}

namespace {
thread_local Shard* current_shard = nullptr;
}

Shard* Shard::current() {
  return current_shard;
}

void Shard::run() {
  current_shard = this;
  auto guard = boost::asio::make_work_guard(io_);
  io_.run();
  current_shard = nullptr;
}

// Not concurrency hint 1: with it, Asio keeps what a thread posts to its own io_context in a
// private queue until the running handler returns, so a post made by this shard (a REST call's
// delivery, before its 202 goes out) could land behind a post that another shard made later (the
// caller's next REST call, answered there). Posts must keep the order in which they were made.
Shard::Shard(unsigned index) : index_(index), heartbeat_(io_) {}

void Shard::start_heartbeat(std::chrono::milliseconds period) {
  heartbeat_period_ = period;
  heartbeat_running_ = true;
  heartbeat_.expires_after(heartbeat_period_);
  heartbeat_.async_wait([this](boost::system::error_code ec) {
    if (!ec) on_heartbeat();
  });
}

void Shard::stop_heartbeat() {
  heartbeat_running_ = false;
  heartbeat_.cancel();
}

void Shard::on_heartbeat() {
  if (!heartbeat_running_) return;
  auto now = Clock::now();
  // tick() may close and detach a connection: iterate over a snapshot.
  std::vector<std::shared_ptr<ClientConnection>> snapshot;
  snapshot.reserve(by_id_.size());
  for (auto& [id, connection] : by_id_) snapshot.push_back(connection);
  for (auto& connection : snapshot) connection->tick(now);
  start_heartbeat(heartbeat_period_);
}

void Shard::attach(const std::shared_ptr<ClientConnection>& connection,
                   const std::vector<std::string>& groups) {
  by_id_[connection->id()] = connection;
  auto& hub = hubs_[connection->hub()];
  hub.connections[connection->id()] = connection.get();
  if (!connection->user().empty()) hub.users[connection->user()].push_back(connection.get());
  for (const auto& group : groups) {
    connection->groups().insert(group);
    hub.groups[group].insert(connection.get());
  }
}

void Shard::detach(ClientConnection& connection) {
  auto it = by_id_.find(connection.id());
  if (it == by_id_.end() || it->second.get() != &connection) return;
  auto keep_alive = it->second;  // the connection outlives its removal from the index
  by_id_.erase(it);
  auto hub_it = hubs_.find(connection.hub());
  if (hub_it != hubs_.end()) {
    auto& hub = hub_it->second;
    hub.connections.erase(connection.id());
    if (!connection.user().empty()) {
      auto users = hub.users.find(connection.user());
      if (users != hub.users.end()) {
        auto& list = users->second;
        list.erase(std::remove(list.begin(), list.end(), &connection), list.end());
        if (list.empty()) hub.users.erase(users);
      }
    }
    for (const auto& group : connection.groups()) {
      auto members = hub.groups.find(group);
      if (members == hub.groups.end()) continue;
      members->second.erase(&connection);
      if (members->second.empty()) hub.groups.erase(members);
    }
    if (hub.connections.empty()) hubs_.erase(hub_it);
  }
  connection.groups().clear();
}

void Shard::defer_flush(std::shared_ptr<ClientConnection> connection) {
  deferred_.push_back(std::move(connection));
  if (deferred_posted_) return;
  deferred_posted_ = true;
  post([this] { run_deferred_flushes(); });
}

void Shard::run_deferred_flushes() {
  // A slice costs a few hundred microseconds of sends; between slices the io_context polls for
  // new requests.
  constexpr std::size_t kSlice = 64;
  const std::size_t end = std::min(deferred_.size(), deferred_next_ + kSlice);
  while (deferred_next_ < end) {
    // Moved out first: flush_deferred() may append to deferred_.
    auto connection = std::move(deferred_[deferred_next_++]);
    connection->flush_deferred();
  }
  if (deferred_next_ < deferred_.size()) {
    post([this] { run_deferred_flushes(); });
    return;
  }
  deferred_.clear();
  deferred_next_ = 0;
  deferred_posted_ = false;
}

Shard::HubIndex* Shard::find_hub(const std::string& hub) {
  auto it = hubs_.find(hub);
  return it == hubs_.end() ? nullptr : &it->second;
}

ClientConnection* Shard::find(const std::string& connection_id) {
  auto it = by_id_.find(connection_id);
  return it == by_id_.end() ? nullptr : it->second.get();
}

void Shard::deliver_all(const std::string& hub, const MessagePtr& message,
                        const Excluded& excluded) {
  auto* index = find_hub(hub);
  if (!index) return;
  if (excluded.empty()) {
    for (auto& [id, connection] : index->connections) connection->send(message);
    return;
  }
  for (auto& [id, connection] : index->connections)
    if (!is_excluded(excluded, id)) connection->send(message);
}

void Shard::deliver_user(const std::string& hub, const std::string& user,
                         const MessagePtr& message) {
  auto* index = find_hub(hub);
  if (!index) return;
  auto it = index->users.find(user);
  if (it == index->users.end()) return;
  for (auto* connection : it->second) connection->send(message);
}

void Shard::deliver_group(const std::string& hub, const std::string& group,
                          const MessagePtr& message, const Excluded& excluded) {
  auto* index = find_hub(hub);
  if (!index) return;
  auto it = index->groups.find(group);
  if (it == index->groups.end()) return;
  for (auto* connection : it->second)
    if (excluded.empty() || !is_excluded(excluded, connection->id())) connection->send(message);
}

void Shard::deliver_connection(const std::string& connection_id, const MessagePtr& message) {
  if (auto* connection = find(connection_id)) connection->send(message);
}

void Shard::join_group(const std::string& connection_id, const std::string& group) {
  auto* connection = find(connection_id);
  if (!connection) return;
  connection->groups().insert(group);
  hubs_[connection->hub()].groups[group].insert(connection);
}

void Shard::leave_group(const std::string& connection_id, const std::string& group) {
  auto* connection = find(connection_id);
  if (!connection) return;
  connection->groups().erase(group);
  auto* index = find_hub(connection->hub());
  if (!index) return;
  auto it = index->groups.find(group);
  if (it == index->groups.end()) return;
  it->second.erase(connection);
  if (it->second.empty()) index->groups.erase(it);
}

void Shard::leave_all_groups(const std::string& connection_id) {
  auto* connection = find(connection_id);
  if (!connection) return;
  std::vector<std::string> groups(connection->groups().begin(), connection->groups().end());
  for (const auto& group : groups) leave_group(connection_id, group);
}

void Shard::close_connection(const std::string& connection_id, const std::string& reason) {
  if (auto it = by_id_.find(connection_id); it != by_id_.end()) {
    auto connection = it->second;
    connection->close(reason, false);
  }
}

void Shard::close_everything(const std::string& reason, bool allow_reconnect) {
  std::vector<std::shared_ptr<ClientConnection>> all;
  for (auto& [id, connection] : by_id_) all.push_back(connection);
  for (auto& connection : all) connection->close(reason, allow_reconnect);
}

}  // namespace switchboard::service
