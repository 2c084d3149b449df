// What the per-message metrics counters cost on the service's receive path (docs/metrics.md,
// "Cost"): the work HubConnection does for every received hub message (parse the JSON record),
// timed with and without the counting it does (bytes_received and messages_received of the
// connection's HubCounters, from a real metrics::ServiceMetrics), alternately, three rounds each;
// prints ns per message of every round and the medians, and the counting alone (no parse).
// Built and run by `make bench-counters`.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "metrics/service_metrics.hpp"
#include "protocol/json_hub_protocol.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using switchboard::metrics::HubCounters;

// A client's invocation, as a browser sends one ({"type":1,...} without the separator).
const std::string kRecord =
    R"({"type":1,"target":"send","arguments":["alice","hello, how are you all today?"]})";

// Parses `n` records, counting them into `counters` when given; returns ns per message.
double run(std::size_t n, HubCounters* counters, std::uint64_t& sink) {
  const auto start = Clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    if (counters) counters->bytes_received[0].add(kRecord.size() + 1);
    auto parsed = switchboard::protocol::parse_json_message(kRecord);
    sink += parsed.message ? parsed.message->target.size() : 0;
    if (counters) counters->messages_received[0].add();
  }
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() /
         static_cast<double>(n);
}

// The two adds alone, `n` times: ns per message.
double counting_alone(std::size_t n, HubCounters& counters) {
  const auto start = Clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    counters.bytes_received[0].add(kRecord.size() + 1);
    counters.messages_received[0].add();
  }
  return std::chrono::duration<double, std::nano>(Clock::now() - start).count() /
         static_cast<double>(n);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 2000000;
  switchboard::metrics::ServiceMetrics metrics(1, {});
  HubCounters& counters = metrics.hub(0, "chat");
  std::uint64_t sink = 0;
  run(n / 10, nullptr, sink);  // warm-up
  std::vector<double> without;
  std::vector<double> with;
  for (int round = 1; round <= 3; ++round) {
    without.push_back(run(n, nullptr, sink));
    with.push_back(run(n, &counters, sink));
    std::printf("round %d: %zu messages: without counters %.1f ns/message, with %.1f ns/message\n",
                round, n, without.back(), with.back());
  }
  std::vector<double> alone;
  for (int round = 0; round < 3; ++round) alone.push_back(counting_alone(n, counters));
  std::printf("the counting alone: %.2f ns/message (median of 3)\n", median(alone));
  const double a = median(without);
  const double b = median(with);
  std::printf(
      "median: without %.1f ns/message, with %.1f ns/message: difference %+.1f ns (%+.1f%%)\n", a,
      b, b - a, 100.0 * (b - a) / a);
  // The counters hold what was counted (the scrape's view), and the sink keeps the parse alive.
  const auto snapshot = metrics.snapshot();
  std::printf(
      "counted: %llu messages (checksum %llu)\n",
      static_cast<unsigned long long>(snapshot.hubs.at("chat").messages_received[0] - 3 * n),
      static_cast<unsigned long long>(sink));
  return 0;
}
