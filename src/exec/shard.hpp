// One worker thread of a process: its io_context, what it posts to itself, and the one write per
// connection after a burst of sends (the deferred flush). Knows nothing of hubs or routing: what
// lives on a shard (connections, their index) is kept by the layers above, per shard index.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cstdint>
#include <memory>
#include <vector>

namespace switchboard::exec {

class SendRing;
class SocketReadiness;

// Something that writes, in one go, what was queued on it during the handlers run so far.
class Flushable {
 public:
  virtual ~Flushable() = default;
  virtual void flush_deferred() = 0;
};

// The shard's io_context, with execution_context's shutdown() made callable: it destroys the
// pending handlers (coroutine frames among them) while the services of every shard still exist.
class ShardContext : public boost::asio::io_context {
 public:
  using boost::asio::execution_context::shutdown;
};

class Shard {
 public:
  // Connections flushed per turn: between slices the io_context polls for new requests, whose
  // messages join the writes still to come. A slice starts at kFlushSlice connections, so that a
  // REST caller waiting for its answer (or a cluster node for Redis's reply) waits behind a few
  // tens of microseconds of sends, not hundreds; it doubles, up to kMaxFlushSlice, while the
  // polls let nothing else run (at a fixed rate nothing arrives during a fan-out, and each poll
  // costs system calls), and falls back to kFlushSlice when one did. docs/benchmarks.md, "Flush
  // slices", has the measurement of 8 against 64 and of this.
  static constexpr std::size_t kFlushSlice = 8;
  static constexpr std::size_t kMaxFlushSlice = 64;

  explicit Shard(unsigned index);
  // `ring` (may be null): where the deferred flushes batch their socket writes (io_uring).
  Shard(unsigned index, std::unique_ptr<SendRing> ring);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  unsigned index() const { return index_; }
  // The shard whose thread is running, or nullptr on other threads.
  static Shard* current();
  // Runs the io_context on the calling thread until stopped (marks the thread as this shard's).
  void run();
  boost::asio::io_context& io() { return io_; }
  // After the thread has ended: lets go of the watched sockets' owners and destroys what is
  // still queued (see ShardPool::~ShardPool).
  void shutdown();
  template <typename F>
  void post(F&& f) {
    boost::asio::post(io_, std::forward<F>(f));
  }

  // On the shard's thread: calls target->flush_deferred() after the handlers queued now have
  // run, so that a burst of sends to one connection becomes one write. Long lists are flushed in
  // slices, letting new requests in between: their messages join the writes still to come.
  void defer_flush(std::shared_ptr<Flushable> target);
  // While a deferred flush runs on a shard that batches its writes: the ring to queue a socket
  // write on (the shard submits the slice's writes together when the slice is done); otherwise
  // nullptr, and the caller writes at once.
  SendRing* send_ring() const;
  bool batches_writes() const { return ring_ != nullptr; }
  // The shard's own epoll set for sockets that do their own reads and writes (made on first
  // use, on the shard's thread).
  SocketReadiness& readiness();
  // The length of the slice of deferred flushes running now (or last run).
  std::size_t flush_slice() const { return slice_; }

 private:
  void run_deferred_flushes();
  // The next slice's length: see kFlushSlice.
  std::size_t next_slice();

  unsigned index_;
  ShardContext io_;
  std::unique_ptr<SendRing> ring_;
  std::unique_ptr<SocketReadiness> readiness_;
  bool collecting_ = false;  // in a slice of deferred flushes, queuing writes on ring_
  std::vector<std::shared_ptr<Flushable>> deferred_;
  std::size_t deferred_next_ = 0;
  bool deferred_posted_ = false;
  std::size_t slice_ = kFlushSlice;
  // Handlers run() has run, and their count when the last slice ended: more than one since (that
  // slice's own) means the poll let other work in.
  std::uint64_t handlers_run_ = 0;
  std::uint64_t handlers_at_slice_end_ = 0;
};

}  // namespace switchboard::exec
