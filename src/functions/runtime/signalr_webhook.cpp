// The SignalR webhook: see signalr_webhook.hpp.
#include "functions/runtime/signalr_webhook.hpp"

#include <spdlog/spdlog.h>

#include <chrono>

#include "auth/crypto.hpp"
#include "auth/upstream_signature.hpp"
#include "functions/runtime/wall_clock.hpp"
#include "functions/trigger/invocation_context.hpp"
#include "functions/trigger/webhook_body.hpp"
#include "logging/log_fields.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace switchboard::functions {

namespace http = net::http;
using net::Response;
using nlohmann::json;

namespace {

// A JSON {"error": message} answer whose reason phrase is the message too (what a service that
// reads only the status line shows).
Response failure(http::status status, std::string_view message) {
  json body = {{"error", message}};
  Response response =
      net::make_response(status, body.dump(-1, ' ', false, json::error_handler_t::replace),
                         "application/json; charset=utf-8");
  std::string reason;
  for (char c : message.substr(0, 200))
    reason.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
  response.reason(reason);
  return response;
}

// The value of a parameterNames argument as text for {name} expressions.
std::string argument_text(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

SignalRWebhook::SignalRWebhook(std::vector<Trigger> triggers, const HostKeys& keys, Runner runner)
    : triggers_(std::move(triggers)), keys_(keys), runner_(std::move(runner)) {}

bool SignalRWebhook::handles(std::string_view path) {
  return path.size() >= kWebhookPrefix.size() &&
         util::iequals(path.substr(0, kWebhookPrefix.size()), kWebhookPrefix);
}

const SignalRWebhook::Trigger* SignalRWebhook::find(std::string_view hub, std::string_view category,
                                                    std::string_view event) const {
  for (const auto& trigger : triggers_) {
    const auto& spec = *trigger.function->signalr_trigger;
    if (util::iequals(spec.hub_name, hub) && util::iequals(spec.category, category) &&
        util::iequals(spec.event, event))
      return &trigger;
  }
  return nullptr;
}

boost::asio::awaitable<Response> SignalRWebhook::handle(net::Request& request) {
  const auto target = util::parse_target(request.target());
  std::string extension = target.path.substr(kWebhookPrefix.size());
  if (auto slash = extension.find('/'); slash != std::string::npos) extension.resize(slash);

  // 1. The key: the extension's system key or the master key.
  std::string key;
  if (auto it = request.find("x-functions-key"); it != request.end()) key = it->value();
  if (key.empty())
    if (auto code = target.get("code")) key = std::string(*code);
  auto system = keys_.system_keys.find(kSignalRExtensionKey);
  bool key_ok = !key.empty() && (key == keys_.master_key ||
                                 (system != keys_.system_keys.end() && key == system->second));
  if (!key_ok)
    co_return failure(http::status::unauthorized,
                      key.empty() ? "The webhook requires the signalr_extension system key (or the "
                                    "master key): send it in the code query parameter or the "
                                    "x-functions-key header."
                                  : "The key is not valid for the webhook.");
  if (!util::iequals(extension, "signalr"))
    co_return failure(http::status::not_found, "No webhook for the extension '" + extension +
                                                   "' (this host has the signalr extension's).");
  if (request.method() != http::verb::post)
    co_return failure(http::status::method_not_allowed, "The SignalR webhook accepts POST only.");

  // 2. The content type.
  auto protocol = trigger::body_protocol(request[http::field::content_type]);
  if (!protocol)
    co_return failure(http::status::unsupported_media_type,
                      "The content type must be application/json or application/x-msgpack, got '" +
                          std::string(request[http::field::content_type]) + "'.");

  trigger::HeaderFields headers;
  for (const auto& field : request)
    headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  auto header = [&](std::string_view name) {
    return trigger::header_value(headers, name).value_or("");
  };

  // 3. The routing headers, then the function they name.
  const std::string hub = header("X-ASRS-Hub");
  const std::string category = header("X-ASRS-Category");
  const std::string event = header("X-ASRS-Event");
  for (auto [name, value] : {std::pair{"X-ASRS-Hub", &hub}, std::pair{"X-ASRS-Category", &category},
                             std::pair{"X-ASRS-Event", &event}}) {
    if (util::trim(*value).empty())
      co_return failure(http::status::bad_request,
                        std::string("The ") + name + " header is missing or empty.");
  }
  const Trigger* trigger = find(hub, category, event);
  if (!trigger)
    co_return failure(http::status::not_found, "No signalRTrigger function for hub '" + hub +
                                                   "', category '" + category + "', event '" +
                                                   event + "'.");
  const FunctionSpec& function = *trigger->function;
  const SignalRTriggerSpec& spec = *function.signalr_trigger;

  // 4. The connection and its signature.
  trigger::InvocationEvent context_event;
  context_event.hub = hub;
  context_event.category = spec.category;
  context_event.event = event;
  context_event.connection_id = header("X-ASRS-Connection-Id");
  context_event.user_id = header("X-ASRS-User-Id");
  if (context_event.connection_id.empty())
    co_return failure(http::status::bad_request,
                      "The X-ASRS-Connection-Id header is missing or empty.");
  if (!auth::upstream_signature_matches(header("X-ASRS-Signature"), context_event.connection_id,
                                        trigger->access_keys))
    co_return failure(http::status::unauthorized,
                      "The request is unauthorized, please check the Signature.");

  // 5. The body.
  const bool messages = spec.category == "messages";
  std::optional<std::string> invocation_id;
  if (messages) {
    auto parsed = trigger::parse_invocation_body(*protocol, request.body());
    if (!parsed.error.empty()) co_return failure(http::status::bad_request, parsed.error);
    if (!util::iequals(parsed.target, event))
      co_return failure(http::status::internal_server_error,
                        "The invocation's target '" + parsed.target +
                            "' does not match the X-ASRS-Event header '" + event + "'.");
    invocation_id = parsed.invocation_id;
    context_event.arguments = std::move(parsed.arguments);
  } else if (spec.event == "disconnected") {
    context_event.error = trigger::disconnect_error(request.body());
  }

  // 6. The invocation: the InvocationContext under the trigger's name, arguments as binding data.
  Invocation invocation;
  invocation.id = auth::random_uuid();
  invocation.function = &function;
  invocation.data[spec.name] = trigger::build_invocation_context(context_event, headers);
  BindingData data;
  for (const auto& [name, value] : headers) {
    auto& joined = data.headers[name];
    joined = joined.empty() ? value : joined + "," + value;
  }
  const json& query = invocation.data[spec.name]["Query"];
  for (const auto& [name, value] : query.items()) data.query[name] = value.get<std::string>();
  data.body = nullptr;
  invocation.metadata = {
      {"sys",
       {{"MethodName", function.name}, {"UtcNow", utc_now_iso()}, {"RandGuid", invocation.id}}}};

  auto started = std::chrono::steady_clock::now();
  json result;
  std::optional<std::string> error;
  // The log lines of this invocation carry its ids (logging/log_fields).
  const std::string request_id(request["x-request-id"]);
  auto log_fields = [&] {
    return logging::ScopedLogFields{{"request_id", request_id},
                                    {"function", function.name},
                                    {"invocation_id", invocation.id},
                                    {"connection_id", context_event.connection_id},
                                    {"hub", hub}};
  };
  const auto& arguments = context_event.arguments;
  if (!spec.parameter_names.empty() && messages &&
      arguments.size() != spec.parameter_names.size()) {
    error = "The function '" + function.name + "' names " +
            std::to_string(spec.parameter_names.size()) +
            " parameters (parameterNames) but the invocation has " +
            std::to_string(arguments.size()) + " arguments.";
    auto fields = log_fields();
    spdlog::warn("Functions.{} not run for {}/{} of connection {}: {}", function.name,
                 spec.category, event, context_event.connection_id, *error);
  } else {
    for (std::size_t i = 0; messages && i < spec.parameter_names.size(); ++i) {
      invocation.metadata[spec.parameter_names[i]] = arguments[i];
      data.route_params[spec.parameter_names[i]] = argument_text(arguments[i]);
    }
    try {
      result = co_await runner_(*trigger, invocation, data);
    } catch (const InvocationError& e) {
      error = e.function_error();
      auto fields = log_fields();
      spdlog::warn("Executed 'Functions.{}' (Failed, Id={}) for {}/{} of connection {}: {}",
                   function.name, invocation.id, spec.category, event, context_event.connection_id,
                   e.what());
    }
  }
  if (!error) {
    auto ms = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count() /
              1000.0;
    auto fields = log_fields();
    spdlog::info("Executed 'Functions.{}' (Succeeded, Id={}, Duration={:.1f}ms) {}/{}",
                 function.name, invocation.id, ms, spec.category, event);
  } else if (!messages && spec.event != "disconnected") {
    co_return failure(http::status::forbidden, *error);  // the service rejects the client
  }

  if (!invocation_id) co_return net::make_response(http::status::ok);
  std::string completion = error
                               ? trigger::completion_with_error(*protocol, *invocation_id, *error)
                               : trigger::completion_with_result(*protocol, *invocation_id, result);
  // The framed CompletionMessage the service forwards to the client verbatim; no content type.
  Response response{http::status::ok, 11};
  response.set(http::field::server, "switchboard");
  response.body() = std::move(completion);
  co_return response;
}

}  // namespace switchboard::functions
