// Threads and waits for the Redis client tests: an io_context on its own thread (the home of a
// connection, or a caller), and running one awaitable there with a deadline.
#pragma once

#include <utility>  // before Asio's coroutine headers (g++ 12 + Boost 1.74)

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <future>
#include <optional>
#include <stdexcept>
#include <thread>

#include "redis_server_fixture.hpp"

namespace switchboard::testing {

class IoThread {
 public:
  IoThread() : work_(boost::asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  // Lets the context drain (5 s at most), then stops it.
  ~IoThread() {
    work_.reset();
    if (!wait_for([this] { return io_.stopped(); })) io_.stop();
    thread_.join();
  }
  IoThread(const IoThread&) = delete;
  IoThread& operator=(const IoThread&) = delete;
  boost::asio::io_context& io() { return io_; }

 private:
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::thread thread_;
};

// Runs `operation` on `io` and returns its result (or rethrows); throws when it takes longer than
// `limit`, so a hang fails the test instead of blocking it.
template <typename T>
T await_on(boost::asio::io_context& io, boost::asio::awaitable<T> operation,
           std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto future = boost::asio::co_spawn(io, std::move(operation), boost::asio::use_future);
  if (future.wait_for(limit) != std::future_status::ready)
    throw std::runtime_error("no result within the deadline");
  return future.get();
}

}  // namespace switchboard::testing
