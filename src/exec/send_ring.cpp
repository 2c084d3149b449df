// One shard's io_uring for batched socket writes: see send_ring.hpp.
#include "exec/send_ring.hpp"

#include "exec/segment_send.hpp"

#include <liburing.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace switchboard::exec {

namespace {

// A queued send: its message header and segment list (the kernel reads them when the batch is
// submitted), who to tell, and what it came to.
struct Slot {
  int fd = -1;
  msghdr message{};
  iovec segments[SendRing::kMaxSegments];
  SendRing::Done done = nullptr;
  std::shared_ptr<void> owner;
  int result = 0;
  bool completed = false;
};

struct Completion {
  SendRing::Done done;
  std::shared_ptr<void> owner;
  int result;
};

std::string error_text(int negative_errno) {
  return std::strerror(-negative_errno);
}

}  // namespace

struct SendRing::Impl {
  io_uring ring{};
  std::vector<Slot> slots;
  std::size_t count = 0;  // slots queued in this batch
  bool ready = false;     // the ring was made
  bool broken = false;
  bool send_supported = false;          // IORING_OP_SEND (5.6): one buffer without a message header
  std::vector<Completion> completions;  // reused between batches

  ~Impl() {
    if (ready) io_uring_queue_exit(&ring);
  }
};

std::unique_ptr<SendRing> SendRing::open(unsigned capacity, std::string& why_not) {
  auto impl = std::make_unique<Impl>();
  io_uring_params params{};
  // SUBMIT_ALL: a send that fails to start does not hold back the ones behind it (5.18);
  // COOP_TASKRUN: no interrupt of the shard for completions it reaps itself (5.19).
  params.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN;
  int status = io_uring_queue_init_params(capacity, &impl->ring, &params);
  if (status == -EINVAL) {
    params = io_uring_params{};
    status = io_uring_queue_init_params(capacity, &impl->ring, &params);
  }
  if (status < 0) {
    why_not = "io_uring_queue_init: " + error_text(status);
    return nullptr;
  }
  impl->ready = true;
  io_uring_probe* probe = io_uring_get_probe_ring(&impl->ring);
  const bool sendmsg_supported =
      probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_SENDMSG);
  impl->send_supported = probe != nullptr && io_uring_opcode_supported(probe, IORING_OP_SEND);
  if (probe) io_uring_free_probe(probe);
  if (!sendmsg_supported) {
    why_not = "the kernel's io_uring has no IORING_OP_SENDMSG";
    return nullptr;
  }
  impl->slots.resize(capacity);
  impl->completions.reserve(capacity);
  return std::unique_ptr<SendRing>(new SendRing(std::move(impl)));
}

SendRing::SendRing(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

SendRing::~SendRing() = default;

std::size_t SendRing::queued() const {
  return impl_->count;
}

bool SendRing::full() const {
  return impl_->count == impl_->slots.size();
}

bool SendRing::broken() const {
  return impl_->broken;
}

void SendRing::queue(int fd, const iovec* segments, int count, Done done,
                     std::shared_ptr<void> owner) {
  const std::size_t index = impl_->count++;
  Slot& slot = impl_->slots[index];
  std::memcpy(slot.segments, segments, sizeof(iovec) * static_cast<std::size_t>(count));
  slot.message = msghdr{};
  slot.message.msg_iov = slot.segments;
  slot.message.msg_iovlen = static_cast<std::size_t>(count);
  slot.fd = fd;
  slot.done = done;
  slot.owner = std::move(owner);
  slot.completed = false;
}

void SendRing::submit() {
  Impl& impl = *impl_;
  const std::size_t expected = impl.count;
  if (expected == 0) return;
  if (expected <= kDirectUpTo) {
    // A few sends (REST calls to one user each, say): one system call each costs less than the
    // ring's submission, file references and completions (segment_send.hpp).
    for (std::size_t i = 0; i < expected; ++i) {
      Slot& slot = impl.slots[i];
      slot.result =
          send_segments(slot.fd, slot.segments, static_cast<int>(slot.message.msg_iovlen));
      slot.completed = true;
    }
  } else {
    // The submission queue is as deep as the slots, and drained by every submit().
    // A send of one buffer skips the message header's copy and the segment list's import.
    for (std::size_t i = 0; i < expected; ++i) {
      const Slot& slot = impl.slots[i];
      io_uring_sqe* sqe = io_uring_get_sqe(&impl.ring);
      if (slot.message.msg_iovlen == 1 && impl.send_supported)
        io_uring_prep_send(sqe, slot.fd, slot.segments[0].iov_base, slot.segments[0].iov_len,
                           MSG_DONTWAIT | MSG_NOSIGNAL);
      else
        io_uring_prep_sendmsg(sqe, slot.fd, &slot.message, MSG_DONTWAIT | MSG_NOSIGNAL);
      sqe->user_data = i;
    }
  }
  std::size_t reaped = expected <= kDirectUpTo ? expected : 0;
  while (reaped < expected) {
    const int status =
        io_uring_submit_and_wait(&impl.ring, static_cast<unsigned>(expected - reaped));
    unsigned seen = 0;
    unsigned head = 0;
    io_uring_cqe* cqe = nullptr;
    io_uring_for_each_cqe(&impl.ring, head, cqe) {
      Slot& slot = impl.slots[cqe->user_data];
      slot.result = cqe->res;
      slot.completed = true;
      ++seen;
    }
    io_uring_cq_advance(&impl.ring, seen);
    reaped += seen;
    if (status < 0 && status != -EINTR && status != -EAGAIN && status != -EBUSY && seen == 0) {
      // The ring itself failed: the sends not accounted for are reported as failed (their
      // connections end) rather than retried, which could write their bytes twice.
      impl.broken = true;
      break;
    }
  }
  impl.completions.clear();
  for (std::size_t i = 0; i < expected; ++i) {
    Slot& slot = impl.slots[i];
    impl.completions.push_back(
        {slot.done, std::move(slot.owner), slot.completed ? slot.result : -EIO});
  }
  impl.count = 0;
  // Moved out: a `done` may queue the next batch's sends (and so reuse the slots).
  std::vector<Completion> completions;
  completions.swap(impl.completions);
  for (auto& completion : completions) completion.done(completion.owner.get(), completion.result);
  completions.clear();
  if (impl.completions.capacity() == 0) impl.completions.swap(completions);
}

}  // namespace switchboard::exec
