// The SignalR webhook of the functions host, POST /runtime/webhooks/signalr: where a SignalR
// service (Switchboard's, or Azure SignalR Service through its upstream settings) sends the
// events of its clients to signalRTrigger functions. It checks, in the Functions extension's
// order: the key (the `signalr_extension` system key or the master key, from `code` or
// x-functions-key: 401), the content type (415), the X-ASRS-Hub/Category/Event headers (400),
// the function for (hub, category, event) ignoring case (404), the connection id (400), the
// X-ASRS-Signature (401); then runs the function and answers: connect/connected 200, or 403 when
// the function failed; disconnected 200; messages 200, with a framed CompletionMessage in the
// request's protocol when the client invoked (an id), empty for a send.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "functions/app_config.hpp"
#include "functions/binding_expression.hpp"
#include "functions/runtime/host_keys.hpp"
#include "functions/runtime/invoker.hpp"
#include "net/http_types.hpp"

namespace switchboard::functions {

inline constexpr std::string_view kWebhookPrefix = "/runtime/webhooks/";

class SignalRWebhook {
 public:
  // One signalRTrigger function.
  struct Trigger {
    const FunctionSpec* function;
    Invoker* invoker;
    std::vector<std::string> access_keys;  // of its connection string; empty: no signature check
  };
  // Runs a prepared invocation (the invoker, then the function's output bindings) and returns
  // the function's return value; throws InvocationError when the function failed.
  using Runner = std::function<boost::asio::awaitable<nlohmann::json>(const Trigger&, Invocation&,
                                                                      const BindingData&)>;

  SignalRWebhook(std::vector<Trigger> triggers, const HostKeys& keys, Runner runner);

  // Whether a (percent-decoded) request path is one of the host's webhooks.
  static bool handles(std::string_view path);
  boost::asio::awaitable<net::Response> handle(net::Request& request);

 private:
  const Trigger* find(std::string_view hub, std::string_view category,
                      std::string_view event) const;

  std::vector<Trigger> triggers_;
  const HostKeys& keys_;
  Runner runner_;
};

}  // namespace switchboard::functions
