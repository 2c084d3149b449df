// The functions host's counters: invocations by function and outcome, their durations as a
// histogram, restarts of worker and custom-handler processes, and the HTTP limit refusals. Every
// function's series exist from the start (made when the host loads the app), so counting an
// invocation is a lookup in a map that no longer changes and a few atomic adds; restarts are
// rare and counted under a lock.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/counter.hpp"
#include "metrics/exposition.hpp"
#include "metrics/http_refusals.hpp"

namespace switchboard::metrics {

// The upper bounds (seconds) of the invocation duration histogram's buckets.
inline constexpr std::array<double, 14> kInvocationBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};

class HostMetrics {
 public:
  // `functions`: the names of the app's enabled functions (HTTP and trigger).
  explicit HostMetrics(const std::vector<std::string>& functions);

  // From any thread. A function not named at construction is not counted.
  void invocation(const std::string& function, bool succeeded,
                  std::chrono::steady_clock::duration duration);
  // Makes the worker's series (at 0); then counts its restarts.
  void worker(const std::string& worker);
  void worker_restarted(const std::string& worker);
  HttpRefusals& http() { return http_; }

  void write(Exposition& out) const;

 private:
  struct PerFunction {
    SharedCounter succeeded;
    SharedCounter failed;
    std::array<SharedCounter, kInvocationBuckets.size() + 1> buckets;  // last: above them all
    SharedCounter nanoseconds;
  };
  std::map<std::string, std::unique_ptr<PerFunction>, std::less<>> functions_;
  mutable std::mutex restarts_mutex_;
  std::map<std::string, std::uint64_t> restarts_;
  HttpRefusals http_;
};

}  // namespace switchboard::metrics
