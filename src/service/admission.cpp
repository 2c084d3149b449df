// Connection and negotiate limits: see admission.hpp.
#include "service/admission.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cmath>
#include <string>

namespace switchboard::service {

namespace http = net::http;
using Clock = util::TokenBucket::Clock;

namespace {

net::Response refusal(http::status status, std::string_view code, const std::string& message,
                      std::chrono::seconds retry_after) {
  auto response = net::make_error(status, code, message);
  response.set(http::field::retry_after, std::to_string(retry_after.count()));
  return response;
}

}  // namespace

std::size_t default_connection_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1000000;
  return static_cast<std::size_t>(limit.rlim_cur) * 9 / 10;
}

Admission::Admission(AdmissionLimits limits, std::shared_ptr<metrics::ServiceMetrics> metrics)
    : limits_(limits),
      metrics_(std::move(metrics)),
      max_connections_(limits.max_connections ? limits.max_connections
                                              : default_connection_limit()) {
  if (limits_.negotiate_rate > 0 && limits_.negotiate_burst < 1)
    limits_.negotiate_burst = std::max(1.0, 2 * limits_.negotiate_rate);
}

std::optional<net::Response> Admission::full_locked(const Address& client) {
  if (connections_ >= max_connections_) {
    if (metrics_) metrics_->refused(metrics::ServiceLimit::MaxConnections);
    return refusal(http::status::service_unavailable, "ServiceUnavailable",
                   "The service has reached its connection limit (" +
                       std::to_string(max_connections_) + " connections); try again later.",
                   kConnectionRetryAfter);
  }
  if (limits_.max_connections_per_ip > 0) {
    auto it = addresses_.find(client);
    if (it != addresses_.end() && it->second.connections >= limits_.max_connections_per_ip) {
      if (metrics_) metrics_->refused(metrics::ServiceLimit::MaxConnectionsPerIp);
      return refusal(http::status::too_many_requests, "TooManyRequests",
                     "Too many connections from your address (at most " +
                         std::to_string(limits_.max_connections_per_ip) + ").",
                     kConnectionRetryAfter);
    }
  }
  return std::nullopt;
}

std::optional<net::Response> Admission::check_negotiate(const Address& client) {
  if (auto refused = check_negotiate_rate(client)) return refused;
  return check_room(client);
}

std::optional<net::Response> Admission::check_room(const Address& client) {
  std::lock_guard lock(mutex_);
  return full_locked(client);
}

std::optional<net::Response> Admission::check_negotiate_rate(const Address& client) {
  if (limits_.negotiate_rate <= 0) return std::nullopt;
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  purge_locked(now);
  auto& entry = addresses_[client];
  if (!entry.negotiates)
    entry.negotiates.emplace(limits_.negotiate_rate, limits_.negotiate_burst, now);
  if (entry.negotiates->take(now)) return std::nullopt;
  const double wait = std::chrono::duration<double>(entry.negotiates->wait(now)).count();
  if (metrics_) metrics_->refused(metrics::ServiceLimit::NegotiateRate);
  return refusal(http::status::too_many_requests, "TooManyRequests",
                 "Too many negotiate requests from your address (at most " +
                     fmt::format("{:g}", limits_.negotiate_rate) + " a second).",
                 std::chrono::seconds(std::max<long long>(1, std::llround(std::ceil(wait)))));
}

Admission::Admitted Admission::admit(const Address& client) {
  Admitted result;
  std::lock_guard lock(mutex_);
  if (auto refused = full_locked(client)) {
    result.refusal = std::move(refused);
    return result;
  }
  ++connections_;
  std::unique_ptr<Address> counted;
  if (limits_.max_connections_per_ip > 0) {
    ++addresses_[client].connections;
    counted = std::make_unique<Address>(client);
  }
  result.ticket = Ticket(shared_from_this(), std::move(counted));
  return result;
}

void Admission::release(const Address* client) {
  std::lock_guard lock(mutex_);
  --connections_;
  if (!client) return;  // not counted by address
  auto it = addresses_.find(*client);
  if (it == addresses_.end()) return;
  if (it->second.connections > 0) --it->second.connections;
  // Without a negotiate bucket the entry only counted connections: forget it at zero.
  if (it->second.connections == 0 && !it->second.negotiates) addresses_.erase(it);
}

std::size_t Admission::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

void Admission::purge_locked(Clock::time_point now) {
  if (now < next_purge_) return;
  next_purge_ = now + std::chrono::seconds(10);
  for (auto it = addresses_.begin(); it != addresses_.end();) {
    if (it->second.connections == 0 && (!it->second.negotiates || it->second.negotiates->full(now)))
      it = addresses_.erase(it);
    else
      ++it;
  }
}

}  // namespace switchboard::service
