// Runs a step on the home strand from any thread and resumes the awaiting coroutine on its own
// executor with the step's result (internal to src/redis). The caller's executor counts the call
// as outstanding work until it is resumed, so its io_context does not run out of work meanwhile.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <functional>
#include <memory>
#include <utility>

#include "redis/hiredis_link.hpp"

namespace switchboard::redis::detail {

// Called once, on the home strand, with the error or the result.
template <typename Result>
using Completion = std::function<void(std::exception_ptr error, Result result)>;

template <typename Result, typename Handler>
Completion<Result> resume_on_caller(Handler handler, const Strand& fallback) {
  auto executor = boost::asio::prefer(boost::asio::get_associated_executor(handler, fallback),
                                      boost::asio::execution::outstanding_work.tracked);
  auto shared = std::make_shared<Handler>(std::move(handler));
  return [executor, shared](std::exception_ptr error, Result result) {
    boost::asio::post(executor, [shared, error, result = std::move(result)]() mutable {
      std::move (*shared)(error, std::move(result));
    });
  };
}

// co_await home_call<R>(strand, [..](Completion<R> done) { ... done(nullptr, r); }): `step` runs
// on `strand`; the coroutine resumes on its executor with the result, or throws the error.
template <typename Result, typename Step>
boost::asio::awaitable<Result> home_call(const Strand& strand, Step step) {
  auto initiation = [&strand](auto handler, Step step) {
    auto done = resume_on_caller<Result>(std::move(handler), strand);
    boost::asio::post(strand, [step = std::move(step), done = std::move(done)]() mutable {
      step(std::move(done));
    });
  };
  // Named, not a temporary of the co_await expression: g++ 12 may destroy such temporaries twice.
  auto operation = boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&,
                                               void(std::exception_ptr, Result)>(
      std::move(initiation), boost::asio::use_awaitable, std::move(step));
  Result result = co_await std::move(operation);
  co_return result;
}

}  // namespace switchboard::redis::detail
