// Connections that have not yet done what a real client does at once, across all shards: the HTTP
// server's connections that have not sent the headers of their first request, and the service's
// hub connections that have not completed the hub handshake. Idle sockets must not use up the
// descriptors and keep new clients out, so the oldest of them (a client that connected and has
// said nothing for longest, most likely one of many opened to exhaust the server) are closed, on
// their own shard's thread, by one of two rules:
//
// - By descriptors (the default, limit 0). Descriptors are handed out lowest first, so a new
//   connection's descriptor number is a lower bound of how many are in use. When it reaches three
//   quarters of the open-file limit, the pending connections older than kGrace are closed; at
//   seven eighths, also the oldest whatever their age, as many as an eighth of the limit, so that
//   accept() keeps descriptors (one at a time would not do: the next connections get the holes
//   the oldest left, low numbers that do not show the shortage). Below three quarters nothing is
//   closed: in a connection storm (thousands of
//   clients reconnecting at once after a restart, a busy load balancer) the silent connections
//   are real clients whose first bytes are on their way, and the descriptors they hold are free.
// - By count (--max-pending-connections N): beyond N the oldest are closed, those older than
//   kGrace, or any once the count reaches a ceiling (twice N, but no more than a quarter of the
//   open-file limit, nor less than N).
//
// Callers keep a connection whose first bytes already wait unread in the kernel (net/unread_bytes):
// the shard has simply not got to it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "util/throttle.hpp"

namespace switchboard::net {

// The process's open-file limit (RLIMIT_NOFILE; SIZE_MAX when unlimited).
std::size_t open_file_limit();
// The count up to which connections younger than the grace stay beyond the cap `limit`: twice
// the cap, but not beyond a quarter of `descriptors` (nor below the cap).
std::size_t pending_ceiling(std::size_t limit, std::size_t descriptors = open_file_limit());

class PendingConnections : public std::enable_shared_from_this<PendingConnections> {
  struct Entry;

 public:
  // How long a new connection is not closed for being silent (unless descriptors are about to
  // run out, or the count reaches the ceiling).
  static constexpr std::chrono::milliseconds kGrace{1000};

  // The hold of one pending connection; releasing it (or destroying it) ends the connection's
  // pending state. Used on the connection's own thread only.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(std::shared_ptr<PendingConnections> owner, std::shared_ptr<Entry> entry);
    Ticket(Ticket&&) = default;
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket() { release(); }
    void release();

   private:
    std::shared_ptr<PendingConnections> owner_;
    std::shared_ptr<Entry> entry_;
  };

  // limit 0: by descriptors; N: by count. `waiting_for`: what the connections have not done yet,
  // for the log ("a request", "the hub handshake"). `descriptors`: the open-file limit.
  explicit PendingConnections(std::size_t limit, std::string waiting_for = "a request",
                              std::size_t descriptors = open_file_limit());
  // 0: by descriptors.
  std::size_t limit() const { return limit_; }
  // By count: beyond the cap, connections younger than kGrace stay until the count reaches this.
  std::size_t ceiling() const { return ceiling_; }
  // By descriptors: the descriptor numbers from which the old, then also the young, are closed.
  std::size_t short_of_descriptors() const { return short_; }
  std::size_t out_of_descriptors() const { return out_; }
  std::size_t size() const;

  // Registers a new connection living on `io`, whose socket is `descriptor` (-1: it holds none,
  // as a long-polling connection), and closes the oldest pending connections by the rule in
  // force: each one's `shed` runs on its own io_context, unless its ticket was released before.
  // `shed` must stay callable as long as the ticket is held.
  Ticket admit(boost::asio::io_context& io, std::function<void()> shed, int descriptor,
               std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

 private:
  void remove(Entry& entry);
  // Under the mutex: whether the oldest entry is to be closed for a new one admitted at `now`
  // with `descriptor`; `closed` is how many were chosen for it so far.
  bool shed_oldest(int descriptor, std::chrono::steady_clock::time_point now,
                   std::size_t closed) const;

  const std::size_t limit_;
  const std::size_t ceiling_;
  const std::size_t short_;
  const std::size_t out_;
  const std::size_t batch_;  // closed at once at out_: an eighth of the descriptors
  const std::size_t descriptors_;
  const std::string waiting_for_;
  mutable std::mutex mutex_;
  std::list<std::shared_ptr<Entry>> entries_;  // oldest first
  util::ThrottledCounter sheds_;
};

}  // namespace switchboard::net
