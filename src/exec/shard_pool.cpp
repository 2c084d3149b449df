// Worker threads running the shards: see shard_pool.hpp.
#include "exec/shard_pool.hpp"

#include <algorithm>

namespace switchboard::exec {

ShardPool::ShardPool(unsigned threads, SendPath path) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // All shards batch their writes or none: the first refusal turns the rings off.
  std::vector<std::unique_ptr<SendRing>> rings(threads);
  send_path_ = "one call per connection (io_uring turned off)";
  if (path == SendPath::Auto) {
    send_path_ = "io_uring";
    for (auto& ring : rings) {
      std::string why_not;
      ring = SendRing::open(Shard::kMaxFlushSlice, why_not);
      if (ring) continue;
      send_path_ = "one call per connection (io_uring unavailable: " + why_not + ")";
      for (auto& opened : rings) opened.reset();
      break;
    }
  }
  for (unsigned i = 0; i < threads; ++i) {
    shards_.push_back(std::make_unique<Shard>(i, std::move(rings[i])));
    shard_pointers_.push_back(shards_.back().get());
  }
}

ShardPool::~ShardPool() {
  stop(std::chrono::milliseconds(0));
  wait();
  // A handler left on one shard may own a socket of another (an upstream session's HTTP client,
  // a cross-shard post): destroy every shard's pending handlers first, then the io_contexts, so
  // that no handler outlives the services its objects belong to.
  for (auto& shard : shards_) shard->shutdown();
}

void ShardPool::start() {
  for (auto& shard : shards_) threads_.emplace_back([s = shard.get()] { s->run(); });
}

void ShardPool::stop(std::chrono::milliseconds grace) {
  auto stop_all = [this] {
    for (auto& shard : shards_) shard->io().stop();
  };
  if (threads_.empty()) return stop_all();  // never started: nothing to wait for
  if (stopper_.joinable()) return;          // already stopping
  // Off the caller's thread, which may be a shard: queued writes go out during the grace.
  stopper_ = std::thread([stop_all, grace] {
    std::this_thread::sleep_for(grace);
    stop_all();
  });
}

void ShardPool::wait() {
  for (auto& thread : threads_)
    if (thread.joinable()) thread.join();
  threads_.clear();
  if (stopper_.joinable()) stopper_.join();
}

}  // namespace switchboard::exec
