// The stdin control loop (send [RATE [PAD]] / report / reconnect N / stop), the built-in
// rate-limited sender and the JSON report.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "clock.hpp"
#include "http_session.hpp"
#include "runner.hpp"

namespace lc {

awaitable<void> Runner::control_loop() {
  asio::posix::stream_descriptor in(io_, ::dup(STDIN_FILENO));
  std::string line;
  for (;;) {
    std::size_t n = 0;
    try {
      n = co_await asio::async_read_until(in, asio::dynamic_buffer(line), '\n', use_awaitable);
    } catch (const std::exception&) {
      break;  // end of input
    }
    std::string command = line.substr(0, n > 0 ? n - 1 : 0);
    line.erase(0, n);
    if (command == "send" || command.rfind("send ", 0) == 0) {
      // "send [RATE [PAD]]": this run's rate and padding instead of --rate and --pad.
      double rate = options_.rate;
      int pad = options_.pad;
      std::sscanf(command.c_str(), "send %lf %d", &rate, &pad);
      if (rate <= 0) {
        std::cerr << "send: the rate must be positive" << std::endl;
        continue;
      }
      asio::co_spawn(io_, sender(rate, pad), asio::detached);
    } else if (command == "go") {
      if (go_workers_ == 0) {
        std::cerr << "go: no negotiated setup is waiting" << std::endl;
        continue;
      }
      const int workers = go_workers_;
      go_workers_ = 0;
      begin_setup(workers);
    } else if (command == "report") {
      std::cout << report_json() << std::endl;
      reset_stats();
    } else if (command.rfind("reconnect ", 0) == 0) {
      reconnect(std::atoi(command.c_str() + 10));
    } else if (command == "stop") {
      break;
    } else if (!command.empty()) {
      std::cerr << "unknown command: " << command << std::endl;
    }
  }
  std::cout << report_json() << std::endl;
  stopping_ = true;
  io_.stop();
}

awaitable<void> Runner::sender(double rate, int padding) {
  HttpSession http(io_, options_.host, options_.send_port);
  std::string pad(static_cast<std::size_t>(std::max(0, padding)), 'x');
  const bool wrap = options_.send_body == "signalr";
  const double interval_us = 1e6 / rate;
  asio::steady_timer timer(io_);
  std::uint64_t start = monotonic_us();
  std::uint64_t end = start + static_cast<std::uint64_t>(options_.duration_s * 1e6);
  std::uint64_t ok = 0, failed = 0;
  for (std::uint64_t k = 0;; ++k) {
    std::uint64_t due = start + static_cast<std::uint64_t>(static_cast<double>(k) * interval_us);
    if (due >= end) break;
    std::uint64_t now = monotonic_us();
    if (due > now) {
      timer.expires_after(std::chrono::microseconds(due - now));
      co_await timer.async_wait(use_awaitable);
    }
    std::string payload = "{\"ts\":" + std::to_string(monotonic_us()) + ",\"pad\":\"" + pad + "\"}";
    std::string body = wrap ? "{\"target\":\"bench\",\"arguments\":[" + payload + "]}" : payload;
    auto res = co_await http.request(http::verb::post, options_.send_path, std::move(body),
                                     options_.send_auth);
    if (res.result_int() / 100 == 2)
      ++ok;
    else {
      ++failed;
      if (failed == 1)
        std::cerr << "send failed: " << res.result_int() << " " << res.body() << std::endl;
    }
  }
  // Let the last messages arrive before the caller asks for the report.
  timer.expires_after(std::chrono::milliseconds(1000));
  co_await timer.async_wait(use_awaitable);
  sent_ok_ += ok;
  sent_failed_ += failed;
  std::cerr << "SENT " << ok << " " << failed << std::endl;
}

void Runner::reset_stats() {
  stats_ = Stats{};
  sent_ok_ = sent_failed_ = 0;
  for (auto& c : connections_) c->deliveries = 0;
}

std::string Runner::report_json() {
  std::uint32_t min_per_client = ~0u, max_per_client = 0;
  int open = 0;
  for (auto& c : connections_) {
    if (!c->open) continue;
    ++open;
    min_per_client = std::min(min_per_client, c->deliveries);
    max_per_client = std::max(max_per_client, c->deliveries);
  }
  if (open == 0) min_per_client = 0;
  double window_s = stats_.last_us > stats_.first_us
                        ? static_cast<double>(stats_.last_us - stats_.first_us) / 1e6
                        : 0.0;
  auto& h = stats_.latency;
  auto& a = stats_.arrival;
  char out[1536];
  std::snprintf(
      out, sizeof out,
      "{\"protocol\":\"%s\",\"clients\":%d,\"open\":%d,\"failed\":%d,\"closes\":%llu,"
      "\"deliveries\":%llu,\"bad_ts\":%llu,\"pings\":%llu,\"sent_ok\":%llu,\"sent_failed\":%llu,"
      "\"window_s\":%.6f,\"deliveries_per_s\":%.1f,\"per_client_min\":%u,\"per_client_max\":%u,"
      "\"latency_us\":{\"min\":%llu,\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,\"p999\":%llu,"
      "\"max\":%llu,\"mean\":%.1f},"
      "\"arrival_us\":{\"p50\":%llu,\"p90\":%llu,\"p99\":%llu,\"max\":%llu},\"setup_s\":%.3f}",
      protocol_name(options_.protocol), options_.clients, open, failed_,
      static_cast<unsigned long long>(stats_.closes),
      static_cast<unsigned long long>(stats_.deliveries),
      static_cast<unsigned long long>(stats_.bad_timestamps),
      static_cast<unsigned long long>(stats_.pings), static_cast<unsigned long long>(sent_ok_),
      static_cast<unsigned long long>(sent_failed_), window_s,
      window_s > 0 ? static_cast<double>(stats_.deliveries) / window_s : 0.0, min_per_client,
      max_per_client, static_cast<unsigned long long>(h.min()),
      static_cast<unsigned long long>(h.quantile(0.5)),
      static_cast<unsigned long long>(h.quantile(0.9)),
      static_cast<unsigned long long>(h.quantile(0.99)),
      static_cast<unsigned long long>(h.quantile(0.999)), static_cast<unsigned long long>(h.max()),
      h.mean(), static_cast<unsigned long long>(a.quantile(0.5)),
      static_cast<unsigned long long>(a.quantile(0.9)),
      static_cast<unsigned long long>(a.quantile(0.99)), static_cast<unsigned long long>(a.max()),
      static_cast<double>(setup_done_us_ - setup_started_us_) / 1e6);
  return out;
}

}  // namespace lc
