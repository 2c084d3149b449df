// Retired connection ids: see service_context.hpp.
#include "service/service_context.hpp"

namespace switchboard::service {

void RetiredConnections::retire(const std::string& connection_id,
                                std::chrono::steady_clock::time_point until) {
  std::lock_guard lock(mutex_);
  retired_[connection_id] = until;
}

bool RetiredConnections::contains(const std::string& connection_id) {
  auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mutex_);
  if (now >= next_purge_) {
    std::erase_if(retired_, [&](const auto& entry) { return entry.second <= now; });
    next_purge_ = now + std::chrono::seconds(5);
  }
  auto it = retired_.find(connection_id);
  return it != retired_.end() && it->second > now;
}

void ConnectionTable::add(const std::string& connection_id,
                          std::weak_ptr<HubConnection> connection) {
  std::lock_guard lock(mutex_);
  connections_[connection_id] = std::move(connection);
}

void ConnectionTable::remove(const std::string& connection_id) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection_id);
}

std::shared_ptr<HubConnection> ConnectionTable::find(const std::string& connection_id) {
  std::lock_guard lock(mutex_);
  auto it = connections_.find(connection_id);
  return it == connections_.end() ? nullptr : it->second.lock();
}

}  // namespace switchboard::service
