// The worker threads: one Shard (thread + io_context) per core, shared by the service
// and the functions host when both run in one process.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "exec/send_ring.hpp"
#include "exec/shard.hpp"

namespace switchboard::exec {

class ShardPool {
 public:
  // threads 0: one per core. `path`: whether the shards batch their deferred flushes' socket
  // writes through io_uring (Auto, where the kernel allows it) or write with one sendmsg() each.
  explicit ShardPool(unsigned threads = 0, SendPath path = SendPath::Auto);
  ~ShardPool();
  ShardPool(const ShardPool&) = delete;
  ShardPool& operator=(const ShardPool&) = delete;

  const std::vector<Shard*>& shards() const { return shard_pointers_; }
  Shard& first() { return *shards_.front(); }
  // How the shards write: "io_uring", or "sendmsg" with why (forced, or what the kernel said).
  const std::string& send_path() const { return send_path_; }
  void start();
  // Stops every io_context after `grace` (letting queued writes go out); safe from any thread.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(300));
  // Blocks until the threads have ended.
  void wait();

 private:
  std::vector<std::unique_ptr<Shard>> shards_;
  std::vector<Shard*> shard_pointers_;
  std::vector<std::thread> threads_;
  std::thread stopper_;
  std::string send_path_;
};

}  // namespace switchboard::exec
