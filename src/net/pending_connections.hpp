// Connections that have not yet done what a real client does at once, across all shards, and
// their cap: the HTTP server's connections that have not sent the headers of their first request,
// and the service's hub connections that have not completed the hub handshake. Admitting one
// beyond the cap sheds the oldest (a client that connected and has said nothing for longest, most
// likely one of many opened to exhaust the server), on its own shard's thread, so that idle
// sockets cannot use up the descriptors and keep new clients out. A connection younger than
// kGrace is not shed while the count is below a ceiling (twice the cap, but no more than a quarter
// of the open-file limit, the default cap's own bound): in a connection storm (thousands of
// clients reconnecting at once after a restart) the newest connections are real clients whose
// first bytes are on their way, and the ceiling still bounds an idle flood.
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

// The cap used when none is configured: 4096, or a quarter of the open-file limit when that is
// lower (a process may run two servers, and established connections need descriptors too).
std::size_t default_pending_limit();
// The count up to which connections younger than the grace stay beyond the cap `limit`: twice
// the cap, but not beyond a quarter of the open-file limit (nor below the cap).
std::size_t pending_ceiling(std::size_t limit);

class PendingConnections : public std::enable_shared_from_this<PendingConnections> {
  struct Entry;

 public:
  // How long a new connection keeps its place beyond the cap (up to the ceiling).
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

  // limit 0: default_pending_limit(). `waiting_for`: what the connections have not done yet, for
  // the log ("a request", "the hub handshake").
  explicit PendingConnections(std::size_t limit, std::string waiting_for = "a request");
  std::size_t limit() const { return limit_; }
  // Beyond the cap, connections younger than kGrace stay until the count reaches this.
  std::size_t ceiling() const { return ceiling_; }
  std::size_t size() const;

  // Registers a new connection living on `io`. While the count is at the cap or beyond it, the
  // oldest pending connections are shed, those older than kGrace, or any when the count reaches
  // the ceiling: each one's `shed` runs on its own io_context, unless its ticket was released
  // before. `shed` must stay callable as long as the ticket is held.
  Ticket admit(boost::asio::io_context& io, std::function<void()> shed,
               std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

 private:
  void remove(Entry& entry);

  const std::size_t limit_;
  const std::size_t ceiling_;
  const std::string waiting_for_;
  mutable std::mutex mutex_;
  std::list<std::shared_ptr<Entry>> entries_;  // oldest first
  util::ThrottledCounter sheds_;
};

}  // namespace switchboard::net
