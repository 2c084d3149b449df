// Custom handlers: the app's own HTTP server process (any language), started with the host on a
// free port (FUNCTIONS_CUSTOMHANDLER_PORT, a new one at every start: a port that another program
// took while it was free cannot hold the process back for good), restarted if it dies, and
// invoked with the custom-handler payload protocol (POST /<FunctionName> with {Data, Metadata};
// the answer's Outputs, Logs and ReturnValue). With enableForwardingHttpRequest, functions made
// only of an httpTrigger and an http output get the original request forwarded as it came. Every
// request to the process carries the process's worker secret, and a language worker proves it
// holds that secret before it gets any (worker_secret.hpp).
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>

#include "functions/runtime/child_process.hpp"
#include "functions/runtime/invoker.hpp"
#include "functions/runtime/worker_secret.hpp"
#include "net/http_client.hpp"

namespace switchboard::functions {

class CustomHandlerInvoker final : public Invoker {
 public:
  // `spec`: the process (host.json customHandler, or a language worker); `extra_environment`:
  // app settings and host variables for the process.
  CustomHandlerInvoker(boost::asio::io_context& io, const FunctionApp& app, CustomHandlerSpec spec,
                       std::map<std::string, std::string> extra_environment,
                       std::function<net::HttpClient&()> client_for_thread,
                       std::string label = "handler");
  ~CustomHandlerInvoker() override;

  void start() override;
  void stop() override;
  // Called (on the process's io_context thread) each time the process exits on its own or is
  // killed after a timeout, before it is restarted.
  void on_process_exit(std::function<void()> callback);
  boost::asio::awaitable<InvocationResult> invoke(Invocation& invocation) override;
  // The port of the process's current start.
  unsigned short port() const;

 private:
  boost::asio::awaitable<void> wait_until_ready(std::chrono::steady_clock::time_point deadline);
  boost::asio::awaitable<InvocationResult> forward(Invocation& invocation,
                                                   std::chrono::milliseconds timeout);

  // Where the current start listens (set by each start, read by invocations on any thread).
  net::HttpEndpoint endpoint() const;

  const FunctionApp& app_;
  CustomHandlerSpec spec_;
  std::string label_;
  std::function<net::HttpClient&()> client_for_thread_;
  mutable std::mutex endpoint_mutex_;
  net::HttpEndpoint endpoint_;
  WorkerSecret secret_;  // before process_, which calls it at every start
  std::unique_ptr<ChildProcess> process_;
  std::atomic<unsigned> ready_generation_{0};  // the process generation known to answer HTTP
  // The last generation for which an answer on the port failed to prove the secret (logged once).
  std::atomic<unsigned> unproven_generation_{0};
};

// Whether a function qualifies for forwarding: exactly an httpTrigger and an http output.
bool forwards_http_request(const FunctionSpec& function);

// A free TCP port on 127.0.0.1 (bound and released).
unsigned short find_free_port();

}  // namespace switchboard::functions
