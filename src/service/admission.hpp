// Who may open a client connection: the node's connection limit (--max-connections, 503), the
// per-client-address limit (--max-connections-per-ip, 429) and the per-address negotiate rate
// (--negotiate-rate/--negotiate-burst, a token bucket, 429). Every refusal carries Retry-After.
// A connection that is admitted holds a ticket; dropping the ticket gives its place back.
// Thread-safe (one lock; a negotiate or a connection opening takes it once).
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "metrics/service_metrics.hpp"
#include "net/http_types.hpp"
#include "util/token_bucket.hpp"

namespace switchboard::service {

struct AdmissionLimits {
  std::size_t max_connections = 0;         // 0: default_connection_limit()
  std::size_t max_connections_per_ip = 0;  // 0: no per-address limit
  double negotiate_rate = 0;               // negotiates per second and address; 0: no limit
  double negotiate_burst = 0;              // bucket size; 0: twice the rate (at least 1)
};

// 9/10 of the open-file limit: the rest is left for the listener, REST callers, Redis and logs.
std::size_t default_connection_limit();

// The Retry-After of a refusal for lack of room (a connection must end first).
inline constexpr std::chrono::seconds kConnectionRetryAfter{5};

class Admission : public std::enable_shared_from_this<Admission> {
 public:
  using Address = boost::asio::ip::address;
  // `metrics`: where refusals are counted (null: nowhere).
  explicit Admission(AdmissionLimits limits,
                     std::shared_ptr<metrics::ServiceMetrics> metrics = nullptr);

  // A negotiate from `client`: the refusal (429 for the rate or the address's connections, 503
  // when the node is full), or nullopt when a connection would be admitted now. The two halves
  // apart: the rate (takes a token), then the room (a cluster node that may redirect the client
  // asks for room only when it keeps it).
  std::optional<net::Response> check_negotiate(const Address& client);
  std::optional<net::Response> check_negotiate_rate(const Address& client);
  std::optional<net::Response> check_room(const Address& client);

  // A connection's place, given back when the ticket is dropped or reset. Held inline by the
  // connection (issue 16: a shared_ptr<void> with a deleter was a 72-byte block per connection).
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& other) noexcept = default;
    Ticket& operator=(Ticket&& other) noexcept {
      if (this != &other) {
        reset();
        admission_ = std::move(other.admission_);
        client_ = std::move(other.client_);
      }
      return *this;
    }
    ~Ticket() { reset(); }
    explicit operator bool() const { return admission_ != nullptr; }
    void reset() {
      if (auto admission = std::move(admission_)) admission->release(client_.get());
      client_.reset();
    }

   private:
    friend class Admission;
    Ticket(std::shared_ptr<Admission> admission, std::unique_ptr<Address> client)
        : admission_(std::move(admission)), client_(std::move(client)) {}
    std::shared_ptr<Admission> admission_;
    // The client's address, kept only under a per-address limit (none by default: every idle
    // connection would carry 32 bytes for nothing).
    std::unique_ptr<Address> client_;
  };

  struct Admitted {
    Ticket ticket;                         // set when admitted: hold it for the connection's life
    std::optional<net::Response> refusal;  // set otherwise
  };
  // A transport request that opens a connection (the WebSocket upgrade, the event stream, the
  // first long poll): counts it, or refuses it as check_negotiate would (without the rate).
  Admitted admit(const Address& client);

  std::size_t connections() const;
  std::size_t max_connections() const { return max_connections_; }
  const AdmissionLimits& limits() const { return limits_; }

 private:
  struct PerAddress {
    std::size_t connections = 0;
    std::optional<util::TokenBucket> negotiates;
  };
  // The refusal for lack of room, or nullopt; under mutex_.
  std::optional<net::Response> full_locked(const Address& client);
  // `client`: the address the connection was counted under, null when none.
  void release(const Address* client);
  // Forgets addresses with no connection and a full bucket now and then; under mutex_.
  void purge_locked(util::TokenBucket::Clock::time_point now);

  AdmissionLimits limits_;
  std::shared_ptr<metrics::ServiceMetrics> metrics_;
  std::size_t max_connections_;
  mutable std::mutex mutex_;
  std::size_t connections_ = 0;
  std::map<Address, PerAddress> addresses_;
  util::TokenBucket::Clock::time_point next_purge_{};
};

}  // namespace switchboard::service
