// The functions host's counters and their rendering: see host_metrics.hpp.
#include "metrics/host_metrics.hpp"

#include <algorithm>

namespace switchboard::metrics {

HostMetrics::HostMetrics(const std::vector<std::string>& functions) {
  for (const auto& name : functions) functions_.emplace(name, std::make_unique<PerFunction>());
}

void HostMetrics::invocation(const std::string& function, bool succeeded,
                             std::chrono::steady_clock::duration duration) {
  auto it = functions_.find(function);
  if (it == functions_.end()) return;
  auto& f = *it->second;
  (succeeded ? f.succeeded : f.failed).add();
  const double seconds = std::chrono::duration<double>(duration).count();
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(kInvocationBuckets.begin(), kInvocationBuckets.end(), seconds) -
      kInvocationBuckets.begin());
  f.buckets[bucket].add();
  f.nanoseconds.add(static_cast<std::uint64_t>(std::max<long long>(
      0, std::chrono::duration_cast<std::chrono::nanoseconds>(duration).count())));
}

void HostMetrics::worker(const std::string& worker) {
  std::lock_guard lock(restarts_mutex_);
  restarts_.try_emplace(worker, 0);
}

void HostMetrics::worker_restarted(const std::string& worker) {
  std::lock_guard lock(restarts_mutex_);
  ++restarts_[worker];
}

void HostMetrics::write(Exposition& out) const {
  out.family("switchboard_functions_invocations_total", "counter",
             "Function invocations (HTTP and SignalR trigger), by function and outcome.");
  for (const auto& [name, f] : functions_) {
    out.sample("switchboard_functions_invocations_total",
               {{"function", name}, {"outcome", "succeeded"}}, f->succeeded.value());
    out.sample("switchboard_functions_invocations_total",
               {{"function", name}, {"outcome", "failed"}}, f->failed.value());
  }
  out.family("switchboard_functions_invocation_duration_seconds", "histogram",
             "Time from a function's request to its answer, in seconds, by function.");
  for (const auto& [name, f] : functions_) {
    std::array<std::uint64_t, kInvocationBuckets.size() + 1> counts{};
    for (std::size_t i = 0; i < counts.size(); ++i) counts[i] = f->buckets[i].value();
    const Label labels[] = {{"function", name}};
    out.histogram("switchboard_functions_invocation_duration_seconds", labels, kInvocationBuckets,
                  counts, static_cast<double>(f->nanoseconds.value()) / 1e9);
  }
  out.family("switchboard_functions_worker_restarts_total", "counter",
             "Restarts of a language worker or custom handler process after it exited, was "
             "killed or timed out, by worker (node, python, handler).");
  {
    std::lock_guard lock(restarts_mutex_);
    for (const auto& [worker, n] : restarts_)
      out.sample("switchboard_functions_worker_restarts_total", {{"worker", worker}}, n);
  }
  out.family("switchboard_functions_limit_refusals_total", "counter",
             "Requests to the functions host refused or closed by a limit of docs/limits.md, by "
             "the limit's flag.");
  http_.write(out, "switchboard_functions_limit_refusals_total");
}

}  // namespace switchboard::metrics
