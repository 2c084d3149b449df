// A worker thread's io_context and deferred flushes: see shard.hpp.
#include "exec/shard.hpp"

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>

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

void Shard::run() {
  current_shard = this;
  auto guard = boost::asio::make_work_guard(io_);
  io_.run();
  current_shard = nullptr;
}

void Shard::defer_flush(std::shared_ptr<Flushable> target) {
  deferred_.push_back(std::move(target));
  if (deferred_posted_) return;
  deferred_posted_ = true;
  post([this] { run_deferred_flushes(); });
}

void Shard::run_deferred_flushes() {
  // A slice costs a few hundred microseconds of sends; between slices the io_context polls for
  // new requests.
  constexpr std::size_t kSlice = 64;
  const std::size_t end = std::min(deferred_.size(), deferred_next_ + kSlice);
  while (deferred_next_ < end) {
    // Moved out first: flush_deferred() may append to deferred_.
    auto target = std::move(deferred_[deferred_next_++]);
    target->flush_deferred();
  }
  if (deferred_next_ < deferred_.size()) {
    post([this] { run_deferred_flushes(); });
    return;
  }
  deferred_.clear();
  deferred_next_ = 0;
  deferred_posted_ = false;
}

}  // namespace switchboard::exec
