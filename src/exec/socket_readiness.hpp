// A shard's own epoll set for sockets whose owners do their reads and writes themselves (the
// WebSocket connections): each socket is registered once, edge-triggered for input and output, and
// its owner is told what became ready. The set itself is one descriptor in the shard's io_context.
// Replaces Asio's per-socket reactor state and the pending wait operation an idle connection held
// (≈ 300 bytes each with their heap blocks: issue 16's idle-memory target); a watched socket costs
// one slot here (a listener pointer and a generation).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <memory>
#include <vector>

namespace switchboard::exec {

// What a watched socket's owner implements. Runs on the shard's thread.
class ReadinessListener {
 public:
  virtual ~ReadinessListener() = default;
  // `events`: the epoll bits that are set (EPOLLIN, EPOLLOUT, EPOLLERR, EPOLLHUP, EPOLLRDHUP).
  // Edge-triggered: the owner reads (or writes) until EAGAIN before it is told again.
  virtual void on_ready(std::uint32_t events) = 0;
};

class SocketReadiness {
 public:
  // One registration. generation 0: none.
  struct Handle {
    std::uint32_t slot = 0;
    std::uint32_t generation = 0;
    bool active() const { return generation != 0; }
  };

  // Events taken from the set per epoll_wait(); a full batch lets other handlers run before the
  // next (the set is read again at once, without waiting for Asio's reactor).
  static constexpr int kBatch = 64;

  explicit SocketReadiness(boost::asio::io_context& io);
  ~SocketReadiness();
  SocketReadiness(const SocketReadiness&) = delete;
  SocketReadiness& operator=(const SocketReadiness&) = delete;

  // Watches `fd` until unwatch(); `listener` is kept alive until then. On the shard's thread.
  // Returns an inactive handle (errno set) when the kernel refuses the registration.
  Handle watch(int fd, std::shared_ptr<ReadinessListener> listener);
  // Stops watching `fd` (before it is closed): no further on_ready() for `handle`, which becomes
  // inactive. The listener is released after the running handler (its owner may be on the
  // stack). On the shard's thread.
  void unwatch(int fd, Handle& handle);

  // Sockets watched now.
  std::size_t size() const { return slots_.size() - free_.size(); }
  // Lets go of every listener (the shard is shutting down; its thread has ended).
  void release_all();

 private:
  struct Slot {
    std::shared_ptr<ReadinessListener> listener;
    std::uint32_t generation = 1;
  };

  // Waits (through Asio's reactor) for the set to have something ready.
  void arm();
  // Takes one batch of events from the set and tells their listeners.
  void dispatch();

  boost::asio::io_context& io_;
  // The epoll set, as a descriptor of Asio's reactor (which waits for it to be readable).
  boost::asio::posix::stream_descriptor set_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> free_;
  bool armed_ = false;  // a wait on the set, or a dispatch, is pending
};

}  // namespace switchboard::exec
