// A worker thread's io_context and deferred flushes: see shard.hpp.
#include "exec/shard.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>

#include "exec/send_ring.hpp"
#include "exec/socket_readiness.hpp"

namespace switchboard::exec {

namespace {
thread_local Shard* current_shard = nullptr;
}

Shard* Shard::current() {
  return current_shard;
}

// Not concurrency hint 1: with it, Asio keeps what a thread posts to its own io_context in a
// private queue until the running handler returns, so a post made by this shard (a REST call's
// delivery, before its 202 goes out) could land behind a post that another shard made later (the
// caller's next REST call, answered there). Posts must keep the order in which they were made.
Shard::Shard(unsigned index) : index_(index) {}

Shard::Shard(unsigned index, std::unique_ptr<SendRing> ring)
    : index_(index), ring_(std::move(ring)) {}

Shard::~Shard() = default;

void Shard::shutdown() {
  if (readiness_) readiness_->release_all();
  io_.shutdown();
}

SocketReadiness& Shard::readiness() {
  if (!readiness_) readiness_ = std::make_unique<SocketReadiness>(io_);
  return *readiness_;
}

SendRing* Shard::send_ring() const {
  return collecting_ && !ring_->full() ? ring_.get() : nullptr;
}

void Shard::run() {
  current_shard = this;
  auto guard = boost::asio::make_work_guard(io_);
  // One handler at a time, counted: the deferred flushes size their slices by it.
  while (io_.run_one() != 0) ++handlers_run_;
  current_shard = nullptr;
}

void Shard::defer_flush(std::shared_ptr<Flushable> target) {
  deferred_.push_back(std::move(target));
  if (deferred_posted_) return;
  deferred_posted_ = true;
  post([this] { run_deferred_flushes(); });
}

std::size_t Shard::next_slice() {
  if (deferred_next_ == 0) return slice_ = kFlushSlice;  // a new list
  const bool others_ran = handlers_run_ - handlers_at_slice_end_ > 1;
  return slice_ = others_ran ? kFlushSlice : std::min(slice_ * 2, kMaxFlushSlice);
}

void Shard::run_deferred_flushes() {
  const std::size_t end = std::min(deferred_.size(), deferred_next_ + next_slice());
  // With a ring, the slice's writes are queued and go to the kernel in one call at its end.
  collecting_ = ring_ && !ring_->broken();
  while (deferred_next_ < end) {
    // Moved out first: flush_deferred() may append to deferred_.
    auto target = std::move(deferred_[deferred_next_++]);
    target->flush_deferred();
  }
  if (collecting_) {
    collecting_ = false;  // what the completions write next goes out at once
    ring_->submit();
  }
  if (deferred_next_ < deferred_.size()) {
    handlers_at_slice_end_ = handlers_run_;
    post([this] { run_deferred_flushes(); });
    return;
  }
  deferred_.clear();
  deferred_next_ = 0;
  deferred_posted_ = false;
}

}  // namespace switchboard::exec
