// Retired connection ids and the live-connection table: see service_context.hpp.
#include "service/service_context.hpp"

namespace switchboard::service {

void RetiredConnections::retire(const std::string& connection_id,
                                std::chrono::steady_clock::time_point until, Farewell farewell) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = retired_.try_emplace(connection_id);
  auto& entry = it->second;
  if (fresh) entry.ended = std::chrono::steady_clock::now();
  entry.until = until;
  if (!farewell.records.empty()) entry.farewell = std::move(farewell);
}

RetiredConnections::Entry* RetiredConnections::find_locked(const std::string& connection_id) {
  auto now = std::chrono::steady_clock::now();
  if (now >= next_purge_) {
    std::erase_if(retired_, [&](const auto& entry) { return entry.second.until <= now; });
    next_purge_ = now + std::chrono::seconds(5);
  }
  auto it = retired_.find(connection_id);
  return it != retired_.end() && it->second.until > now ? &it->second : nullptr;
}

bool RetiredConnections::contains(const std::string& connection_id) {
  std::lock_guard lock(mutex_);
  return find_locked(connection_id) != nullptr;
}

bool RetiredConnections::ended_within(const std::string& connection_id,
                                      std::chrono::steady_clock::duration window) {
  std::lock_guard lock(mutex_);
  auto* entry = find_locked(connection_id);
  return entry && std::chrono::steady_clock::now() - entry->ended <= window;
}

std::optional<Farewell> RetiredConnections::farewell(const std::string& connection_id) {
  std::lock_guard lock(mutex_);
  auto* entry = find_locked(connection_id);
  if (!entry || entry->farewell.records.empty()) return std::nullopt;
  return entry->farewell;
}

void ConnectionTable::add(const std::string& connection_id,
                          std::weak_ptr<HubConnection> connection) {
  std::lock_guard lock(mutex_);
  connections_.erase(connection_id);  // the key must view the newest connection's id
  connections_.emplace(connection_id, std::move(connection));
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
