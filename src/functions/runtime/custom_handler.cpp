// Custom handler processes and their invocation protocol: see custom_handler.hpp.
#include "functions/runtime/custom_handler.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "functions/handler_answer.hpp"
#include "util/url.hpp"

namespace switchboard::functions {

namespace http = net::http;

namespace {

std::string format_timeout(std::chrono::milliseconds timeout) {
  auto total = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
  char text[32];
  std::snprintf(text, sizeof text, "%02lld:%02lld:%02lld", static_cast<long long>(total / 3600),
                static_cast<long long>(total / 60 % 60), static_cast<long long>(total % 60));
  return text;
}

}  // namespace

unsigned short find_free_port() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(
      io, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

bool forwards_http_request(const FunctionSpec& function) {
  if (function.bindings.size() != 2 || !function.http_output) return false;
  for (const auto& b : function.bindings)
    if (b.type_lower != "httptrigger" && b.type_lower != "http") return false;
  return true;
}

CustomHandlerInvoker::CustomHandlerInvoker(boost::asio::io_context& io, const FunctionApp& app,
                                           CustomHandlerSpec handler,
                                           std::map<std::string, std::string> environment,
                                           std::function<net::HttpClient&()> client_for_thread,
                                           std::string label)
    : app_(app),
      spec_(std::move(handler)),
      label_(label),
      client_for_thread_(std::move(client_for_thread)) {
  const auto& spec = spec_;
  environment["FUNCTIONS_CUSTOMHANDLER_WORKER_ID"] = label;
  environment["FUNCTIONS_HTTPWORKER_ID"] = label;
  environment["FUNCTIONS_APP_ROOT_PATH"] = app.root.string();
  environment.emplace("FUNCTIONS_WORKER_RUNTIME", "Custom");
  ChildProcessSpec process;
  process.label = label;
  process.executable = spec.executable;
  process.arguments = spec.arguments;
  process.working_directory =
      spec.working_directory.empty() ? app.root.string() : spec.working_directory;
  process.environment = std::move(environment);
  // A new secret for every start: a restarted process never accepts its predecessor's. And a
  // new port: the one chosen was free when chosen, and if another program took it before the
  // process could, the process fails to listen, exits, and its next start goes elsewhere.
  process.per_start_environment = [this](std::map<std::string, std::string>& env) {
    const unsigned short port = find_free_port();
    {
      std::lock_guard lock(endpoint_mutex_);
      endpoint_ = {"127.0.0.1", port};
    }
    env["FUNCTIONS_CUSTOMHANDLER_PORT"] = std::to_string(port);
    env["FUNCTIONS_HTTPWORKER_PORT"] = std::to_string(port);
    env[std::string(kWorkerSecretVariable)] = secret_.renew();
  };
  process_ = std::make_unique<ChildProcess>(io, std::move(process));
}

unsigned short CustomHandlerInvoker::port() const {
  return endpoint().port;
}

net::HttpEndpoint CustomHandlerInvoker::endpoint() const {
  std::lock_guard lock(endpoint_mutex_);
  return endpoint_;
}

CustomHandlerInvoker::~CustomHandlerInvoker() {
  stop();
}

void CustomHandlerInvoker::on_process_exit(std::function<void()> callback) {
  process_->on_exit([callback = std::move(callback)](int) { callback(); });
}

void CustomHandlerInvoker::start() {
  process_->start();
}
void CustomHandlerInvoker::stop() {
  process_->stop();
}

boost::asio::awaitable<void> CustomHandlerInvoker::wait_until_ready(
    std::chrono::steady_clock::time_point deadline) {
  auto executor = co_await boost::asio::this_coro::executor;
  while (ready_generation_ != process_->generation() || !process_->running()) {
    if (std::chrono::steady_clock::now() >= deadline)
      throw InvocationError(503, "The custom handler did not start answering on port " +
                                     std::to_string(port()) + " in time.");
    if (process_->running()) {
      // The generation first: a start sets the port before it counts (so a port read after the
      // count is never older than the generation).
      unsigned generation = process_->generation();
      // A local, not a temporary: g++ 12 mis-destroys temporaries of co_await expressions.
      const net::HttpEndpoint endpoint = this->endpoint();
      try {
        // No secret on the probe: a challenge that only the process started with it can answer.
        net::Request probe{http::verb::get, "/", 11};
        const std::string challenge = secret_.challenge(probe);
        const net::Response answer =
            co_await client_for_thread_().send(endpoint, std::move(probe), std::chrono::seconds(2));
        const auto proof = answer[kWorkerProofHeader];
        // Any HTTP answer means it is up, if it proves the secret (a custom handler need not).
        if (proof.empty() ? !spec_.proves_secret : secret_.proven(challenge, proof)) {
          ready_generation_ = generation;
          co_return;
        }
        // Restarted meanwhile (a new secret): the answer says nothing; probe the new process.
        if (process_->generation() != generation) continue;
        // Not the process this host started (it cannot have the port while another program
        // holds it): nothing is sent there, and waiting would not change who answers.
        if (unproven_generation_.exchange(generation) != generation)
          spdlog::warn(
              "{}: the program answering on port {} did not prove it is the process this host "
              "started ({}); no request goes to it",
              label_, endpoint.port, kWorkerProofHeader);
        throw InvocationError(
            503, "The program answering on port " + std::to_string(endpoint.port) +
                     " did not prove it is the " + label_ + " process this host started (" +
                     std::string(kWorkerProofHeader) + "): another program holds the port.");
      } catch (const net::HttpClientError&) {
      }
    }
    boost::asio::steady_timer timer(executor, std::chrono::milliseconds(50));
    co_await timer.async_wait(boost::asio::use_awaitable);
  }
}

boost::asio::awaitable<InvocationResult> CustomHandlerInvoker::forward(
    Invocation& invocation, std::chrono::milliseconds timeout) {
  const auto& original = *invocation.raw_request;
  net::Request request{original.method(), original.target(), 11};
  for (const auto& field : original) {
    if (field.name() == http::field::host || field.name() == http::field::connection ||
        field.name() == http::field::transfer_encoding ||
        field.name() == http::field::content_length)
      continue;
    request.set(field.name_string(), field.value());
  }
  request.body() = original.body();
  secret_.sign(request);  // replaces any value the client sent
  const net::HttpEndpoint endpoint = this->endpoint();
  net::Response response;
  try {
    response = co_await client_for_thread_().send(endpoint, std::move(request), timeout);
  } catch (const net::HttpClientError& e) {
    throw InvocationError(500, std::string("The custom handler failed: ") + e.what());
  }
  InvocationResult result;
  response.keep_alive(true);
  response.erase(http::field::connection);
  response.erase(http::field::transfer_encoding);
  result.forwarded_response = std::move(response);
  co_return result;
}

boost::asio::awaitable<InvocationResult> CustomHandlerInvoker::invoke(Invocation& invocation) {
  auto timeout = app_.host.function_timeout;
  // The process may be (re)starting: it has 30 s to answer, as the Functions host allows.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  co_await wait_until_ready(deadline);
  const auto& function = *invocation.function;
  if (spec_.enable_forwarding_http_request && invocation.raw_request &&
      forwards_http_request(function))
    co_return co_await forward(invocation, timeout);

  nlohmann::json payload = {{"Data", invocation.data}, {"Metadata", invocation.metadata}};
  net::Request request{http::verb::post, "/" + util::percent_encode(function.name), 11};
  request.set(http::field::content_type, "application/json");
  request.set("X-Azure-Functions-InvocationId", invocation.id);
  request.set("X-Azure-Functions-HostVersion", "4.0.0-switchboard");
  request.set(http::field::user_agent, "Azure-Functions-Host/4.0.0-switchboard");
  request.body() = payload.dump();
  secret_.sign(request);
  unsigned generation = process_->generation();
  const net::HttpEndpoint endpoint = this->endpoint();
  net::Response response;
  try {
    response = co_await client_for_thread_().send(endpoint, std::move(request), timeout);
  } catch (const net::HttpClientError& e) {
    if (std::string_view(e.what()).find("No response") != std::string_view::npos) {
      // A function that never returns must not pile up in the process: start it afresh.
      spdlog::warn("[{}] Functions.{} timed out; restarting the process", label_, function.name);
      process_->kill_now();
      throw InvocationError(500, "Timeout value of " + format_timeout(timeout) +
                                     " was exceeded by function: Functions." + function.name);
    }
    bool restarted = process_->generation() != generation || !process_->running();
    throw InvocationError(500, "The " + label_ + " process " + (restarted ? "exited" : "failed") +
                                   " during Functions." + function.name + ": " + e.what());
  }
  int status = static_cast<int>(response.result_int());
  if (status < 200 || status >= 300) {
    // Language workers answer {"error": "...", "message": "...", "Logs": [...]}; custom
    // handlers anything.
    auto failure = read_handler_failure(status, response.body());
    for (const auto& line : failure.logs) spdlog::info("[Functions.{}] {}", function.name, line);
    throw InvocationError(500, "Functions." + function.name + " failed: " + failure.detail,
                          failure.message);
  }
  auto answer = read_handler_answer(response.body());
  if (!answer)
    throw InvocationError(500, "The custom handler's answer for Functions." + function.name +
                                   " is not a JSON object.");
  InvocationResult result;
  result.outputs = std::move(answer->outputs);
  result.return_value = std::move(answer->return_value);
  result.logs = std::move(answer->logs);
  co_return result;
}

}  // namespace switchboard::functions
