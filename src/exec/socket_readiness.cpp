// A shard's own epoll set for self-driven sockets: see socket_readiness.hpp.
#include "exec/socket_readiness.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace switchboard::exec {

namespace {

std::uint64_t event_data(std::uint32_t slot, std::uint32_t generation) {
  return (static_cast<std::uint64_t>(slot) << 32) | generation;
}

int make_epoll_set() {
  const int fd = ::epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  return fd;
}

}  // namespace

SocketReadiness::SocketReadiness(boost::asio::io_context& io)
    : io_(io), set_(io, make_epoll_set()) {}

SocketReadiness::~SocketReadiness() = default;  // set_ closes the epoll set

SocketReadiness::Handle SocketReadiness::watch(int fd,
                                               std::shared_ptr<ReadinessListener> listener) {
  std::uint32_t slot;
  if (!free_.empty()) {
    slot = free_.back();
    free_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  Slot& entry = slots_[slot];
  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  event.data.u64 = event_data(slot, entry.generation);
  if (::epoll_ctl(set_.native_handle(), EPOLL_CTL_ADD, fd, &event) != 0) {
    const int error = errno;
    free_.push_back(slot);
    errno = error;
    return {};
  }
  entry.listener = std::move(listener);
  if (!armed_) arm();
  return {slot, entry.generation};
}

void SocketReadiness::unwatch(int fd, Handle& handle) {
  if (!handle.active()) return;
  Slot& entry = slots_[handle.slot];
  if (entry.generation == handle.generation) {
    // Explicitly: a copy of the descriptor in a child process would keep the registration.
    ::epoll_ctl(set_.native_handle(), EPOLL_CTL_DEL, fd, nullptr);
    // A later generation: events of this one still in a batch are not delivered (0 is "none").
    if (++entry.generation == 0) entry.generation = 1;
    // The owner may be on the stack (unwatching from its own on_ready()): released later.
    boost::asio::post(io_, [released = std::move(entry.listener)] {});
    free_.push_back(handle.slot);
  }
  handle = {};
}

void SocketReadiness::release_all() {
  for (auto& entry : slots_) {
    if (!entry.listener) continue;
    ++entry.generation;
    entry.listener.reset();
  }
}

void SocketReadiness::arm() {
  armed_ = true;
  set_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                  [this](const boost::system::error_code& ec) {
                    armed_ = false;
                    if (!ec) dispatch();
                  });
}

void SocketReadiness::dispatch() {
  epoll_event events[kBatch];
  int count;
  do {
    count = ::epoll_wait(set_.native_handle(), events, kBatch, 0);
  } while (count < 0 && errno == EINTR);
  for (int i = 0; i < count; ++i) {
    const auto slot = static_cast<std::uint32_t>(events[i].data.u64 >> 32);
    const auto generation = static_cast<std::uint32_t>(events[i].data.u64);
    // (Slots are never removed, so every slot an event names exists.)
    if (slots_[slot].generation != generation) continue;  // unwatched since
    // Held for the call: the listener may unwatch itself.
    std::shared_ptr<ReadinessListener> listener = slots_[slot].listener;
    if (listener) listener->on_ready(events[i].events);
  }
  if (count == kBatch) {
    // More may be ready: read the set again after what else is queued, without waiting for
    // the reactor (an edge-triggered set that was not drained would not be signalled again).
    armed_ = true;
    boost::asio::post(io_, [this] {
      armed_ = false;
      dispatch();
    });
    return;
  }
  if (size() > 0) arm();
}

}  // namespace switchboard::exec
