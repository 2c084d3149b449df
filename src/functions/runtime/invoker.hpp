// One function invocation as every language runner sees it, in the custom-handler payload shape:
// `data` holds the trigger and input binding values by binding name (the HTTP request as
// {Url, Method, Query, Headers, Params, Body}), `outputs` the output binding values by name.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "functions/app_config.hpp"
#include "net/http_types.hpp"

namespace switchboard::functions {

struct Invocation {
  std::string id;
  const FunctionSpec* function = nullptr;
  nlohmann::json data = nlohmann::json::object();
  nlohmann::json metadata = nlohmann::json::object();
  const net::Request* raw_request = nullptr;  // for forwarding HTTP requests verbatim
};

struct InvocationResult {
  nlohmann::json outputs = nlohmann::json::object();
  nlohmann::json return_value;  // null when none
  std::vector<std::string> logs;
  std::optional<net::Response> forwarded_response;  // a forwarded request's response
};

// A failed invocation: the HTTP status for the caller and the reason. When the function's own
// code failed (it threw, or a custom handler answered an error), `function_error` is that error's
// message alone, as a SignalR client is told it (the completion's error).
class InvocationError : public std::runtime_error {
 public:
  InvocationError(int status, const std::string& message, std::string function_error = {})
      : std::runtime_error(message), status_(status), function_error_(std::move(function_error)) {}
  int status() const { return status_; }
  // The function's own error message, else the whole message.
  std::string function_error() const { return function_error_.empty() ? what() : function_error_; }

 private:
  int status_;
  std::string function_error_;
};

class Invoker {
 public:
  virtual ~Invoker() = default;
  virtual void start() {}
  virtual void stop() {}
  // Runs the invocation; throws InvocationError.
  virtual boost::asio::awaitable<InvocationResult> invoke(Invocation& invocation) = 0;
};

}  // namespace switchboard::functions
