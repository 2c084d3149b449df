// Batched socket writes for one shard (io_uring): the sends that a deferred flush issues are
// queued here and go to the kernel in one io_uring_enter() instead of one sendmsg() each (a batch
// of up to kDirectUpTo goes out with one send() or sendmsg() each: on this kernel the ring's own
// work per send outweighs a system call's entry and exit, segment_send.hpp). Every
// send carries MSG_DONTWAIT, so none waits for its peer: a full socket answers -EAGAIN at once,
// and submit() returns with every completion reaped (no buffer is in the kernel's hands after
// it). Where the kernel refuses io_uring (no support, the io_uring_disabled sysctl, a seccomp
// filter) open() fails and the caller keeps its sendmsg() path.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <memory>
#include <string>

namespace switchboard::exec {

// How a shard's deferred flush writes to sockets (--io-uring).
enum class SendPath {
  Auto,     // batched through io_uring where the kernel allows it, else one sendmsg() each
  Syscall,  // one sendmsg() per connection (forced)
};

class SendRing {
 public:
  // What a send's owner hears when it completed: the bytes written, or -errno (-EAGAIN: the
  // socket is full; nothing was written).
  using Done = void (*)(void* owner, int result);
  // The most segments one send may have.
  static constexpr int kMaxSegments = 64;
  // Batches of at most this many sends are written directly, without the ring.
  static constexpr std::size_t kDirectUpTo = 4;

  // A ring for up to `capacity` sends per batch; nullptr when the kernel refuses, with the
  // reason in `why_not`.
  static std::unique_ptr<SendRing> open(unsigned capacity, std::string& why_not);
  ~SendRing();
  SendRing(const SendRing&) = delete;
  SendRing& operator=(const SendRing&) = delete;

  // Whether a batch holds sends not yet submitted, and whether it has room for another.
  std::size_t queued() const;
  bool full() const;
  // Queues sendmsg(fd, segments[0..count), MSG_DONTWAIT | MSG_NOSIGNAL) (send() where count is
  // 1: IORING_OP_SEND, when the kernel has it). The segment list is copied; the bytes it points
  // to must stay put until `done` is called. `owner` is kept alive until then. Requires !full()
  // and count <= kMaxSegments.
  void queue(int fd, const iovec* segments, int count, Done done, std::shared_ptr<void> owner);
  // Hands every queued send to the kernel in one call, waits for their completions (bounded:
  // none waits for a peer) and calls each `done` (in the order queued). A `done` may queue again:
  // that send waits for the next submit(). If the ring itself fails, the sends it could not
  // account for complete with -EIO and the ring is marked broken.
  void submit();
  // The ring failed once: its owner should stop using it.
  bool broken() const;

 private:
  struct Impl;
  explicit SendRing(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::exec
