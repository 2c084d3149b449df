// The functions host's request pipeline: see function_host.hpp.
#include "functions/runtime/function_host.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <fstream>

#include "auth/crypto.hpp"
#include "auth/jwt.hpp"
#include "auth/jwt_check.hpp"
#include "functions/binding_expression.hpp"
#include "functions/http_body.hpp"
#include "functions/languages/language_worker.hpp"
#include "functions/output_values.hpp"
#include "functions/runtime/custom_handler.hpp"
#include "functions/runtime/http_invocation.hpp"
#include "functions/runtime/native_invoker.hpp"
#include "functions/runtime/request_text.hpp"
#include "functions/runtime/wall_clock.hpp"
#include "functions/runtime/worker_location.hpp"
#include "logging/log_fields.hpp"
#include "metrics/process_metrics.hpp"
#include "net/request_id.hpp"
#include "protocol/names.hpp"
#include "util/json.hpp"
#include "util/url.hpp"

namespace switchboard::functions {

namespace http = net::http;
using net::Response;

namespace {

Response json_error(http::status status, std::string_view message) {
  nlohmann::json body = {{"error", message}};
  // Replace, never throw: a message can quote what a custom handler answered.
  return net::make_response(status,
                            body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                            "application/json; charset=utf-8");
}

std::string read_setting_file_or_text(const std::string& value) {
  if (value.find("-----BEGIN") != std::string::npos) return value;
  std::ifstream in(value);
  if (!in) return value;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

net::HttpClient& thread_http_client() {
  thread_local std::unique_ptr<net::HttpClient> client;
  if (!client) {
    auto* shard = exec::Shard::current();
    if (!shard) throw std::logic_error("thread_http_client() called outside a shard thread");
    client = std::make_unique<net::HttpClient>(shard->io());
  }
  return *client;
}

FunctionHost::FunctionHost(FunctionApp app, FunctionHostOptions options, exec::ShardPool& pool,
                           const FunctionRegistry* native_functions)
    : app_(std::move(app)), options_(std::move(options)), pool_(pool) {
  keys_ = options_.keys ? std::move(*options_.keys) : HostKeys::load_or_create(app_.root);
  if (auto secret = app_.setting("SWITCHBOARD_AUTH_SECRET")) identity_.hs256_secret = *secret;
  if (auto key = app_.setting("SWITCHBOARD_AUTH_PUBLIC_KEY"))
    identity_.rs256_public_key = read_setting_file_or_text(*key);
  if (auto issuer = app_.setting("SWITCHBOARD_AUTH_ISSUER")) identity_.issuer = *issuer;
  if (auto audience = app_.setting("SWITCHBOARD_AUTH_AUDIENCE")) identity_.audience = *audience;

  setup_connections();

  std::vector<std::string> function_names;
  for (const auto& function : app_.functions)
    if (!function.disabled) function_names.push_back(function.name);
  metrics_ = std::make_shared<metrics::HostMetrics>(function_names);
  options_.http.refusals = std::shared_ptr<metrics::HttpRefusals>(metrics_, &metrics_->http());
  scrape_ = metrics::ScrapeEndpoint(options_.metrics_token);
  scrape_.add([this](metrics::Exposition& out) { metrics_->write(out); });
  scrape_.add(metrics::write_process_metrics);
  auto count_restarts = [this](CustomHandlerInvoker& invoker, const std::string& label) {
    metrics_->worker(label);
    invoker.on_process_exit([metrics = metrics_, label] { metrics->worker_restarted(label); });
  };

  NativeInvoker* native = nullptr;
  if (native_functions) {
    invokers_.push_back(std::make_unique<NativeInvoker>(*native_functions));
    native = static_cast<NativeInvoker*>(invokers_.back().get());
  }
  std::map<std::string, std::string> environment(app_.settings.values.begin(),
                                                 app_.settings.values.end());
  if (!options_.embedded_connection_string.empty()) {
    auto own = app_.connection_string("AzureSignalRConnectionString");
    bool own_is_local = false;
    try {
      own_is_local = own && auth::ConnectionString::parse(*own).names_this_machine();
    } catch (const auth::ConfigError&) {
      // Reported where the setting is used (setup_connections); left as the app wrote it.
    }
    if (!own || own_is_local)
      environment["AzureSignalRConnectionString"] = options_.embedded_connection_string;
  }
  auto client = []() -> net::HttpClient& { return thread_http_client(); };
  Invoker* custom = nullptr;
  if (app_.host.custom_handler) {
    auto handler = std::make_unique<CustomHandlerInvoker>(
        pool_.first().io(), app_, *app_.host.custom_handler, environment, client, "handler");
    count_restarts(*handler, "handler");
    invokers_.push_back(std::move(handler));
    custom = invokers_.back().get();
  }
  // Language workers (languages/), each started once when some function needs it.
  std::map<const LanguageWorker*, Invoker*> workers;
  auto worker_for = [&](const LanguageWorker& language) -> Invoker* {
    if (auto it = workers.find(&language); it != workers.end()) return it->second;
    const std::string label = language.label();
    std::filesystem::path dir;
    try {
      dir = workers_directory();
    } catch (const WorkerLocationError& e) {
      throw AppError("The " + label + " language worker is not found: " + e.what());
    }
    CustomHandlerSpec spec = language.process(app_, dir);
    if (!spec.arguments.empty() && spec.arguments.front().find('/') != std::string::npos &&
        !std::filesystem::exists(spec.arguments.front()))
      throw AppError("The " + label + " language worker is missing: " + spec.arguments.front() +
                     " (set SWITCHBOARD_WORKERS_DIR to the folder holding the workers).");
    spec.working_directory = app_.root.string();
    spec.proves_secret = true;
    auto env = environment;
    env["FUNCTIONS_WORKER_RUNTIME"] = label;
    auto worker = std::make_unique<CustomHandlerInvoker>(pool_.first().io(), app_, spec,
                                                         std::move(env), client, label);
    count_restarts(*worker, label);
    invokers_.push_back(std::move(worker));
    return workers[&language] = invokers_.back().get();
  };
  for (const auto& function : app_.functions) {
    if (function.disabled) continue;
    Invoker* invoker = nullptr;
    if (native && native->has(function.name))
      invoker = native;
    else if (custom)
      invoker = custom;
    else if (const auto* language = language_for(function))
      invoker = worker_for(*language);
    if (!invoker)
      throw AppError(
          function.function_json.string() + ": function '" + function.name +
          "' has no code to run: add index.js (JavaScript) or __init__.py (Python), "
          "set scriptFile, declare a customHandler in host.json, or register it in C++.");
    if (function.signalr_trigger) {
      const auto& cs = connection(function.signalr_trigger->connection_string_setting);
      std::vector<std::string> access_keys;
      if (!cs.connection_string.access_key.empty())
        access_keys.push_back(cs.connection_string.access_key);
      triggers_.push_back({&function, invoker, std::move(access_keys)});
      continue;
    }
    routes_.push_back({&function, RouteTemplate::parse(function.http.route), invoker});
  }
  // The webhook's key is made the first time an app has signalRTrigger functions.
  if (!triggers_.empty()) keys_.system_key(kSignalRExtensionKey);
  webhook_ = std::make_unique<SignalRWebhook>(
      triggers_, keys_,
      [this](const SignalRWebhook::Trigger& trigger, Invocation& invocation,
             const BindingData& data) { return run_trigger(trigger, invocation, data); });
  // Most literal segments first, so "users/me" wins over "users/{id}".
  std::stable_sort(routes_.begin(), routes_.end(), [](const Route& a, const Route& b) {
    return a.route.literal_count() > b.route.literal_count();
  });
  server_ = std::make_unique<net::HttpServer>(pool_.shards(), *this, options_.http);
}

FunctionHost::~FunctionHost() {
  stop();
}

void FunctionHost::setup_connections() {
  std::vector<std::string> settings;
  for (const auto& function : app_.functions) {
    for (const auto& info : function.connection_infos)
      settings.push_back(info.connection_string_setting);
    for (const auto& out : function.signalr_outputs)
      settings.push_back(out.connection_string_setting);
    if (function.signalr_trigger && !function.disabled)
      settings.push_back(function.signalr_trigger->connection_string_setting);
  }
  std::optional<auth::ConnectionString> embedded;
  if (!options_.embedded_connection_string.empty())
    embedded = auth::ConnectionString::parse(options_.embedded_connection_string);
  for (const auto& setting : settings) {
    if (connections_.count(setting)) continue;
    Connection connection;
    auto text = app_.connection_string(setting);
    if (!text) {
      if (!embedded) throw AppError("The connection setting '" + setting + "' is not defined.");
      connection.connection_string = *embedded;
    } else {
      try {
        connection.connection_string = auth::ConnectionString::parse(*text);
      } catch (const auth::ConfigError& e) {
        throw AppError("The connection setting '" + setting + "': " + e.what());
      }
    }
    // In `start`, a connection string naming this machine means the embedded service (its port
    // may have been moved with --service-port).
    bool in_process =
        embedded && options_.embedded_router && connection.connection_string.names_this_machine();
    if (in_process) connection.connection_string = *embedded;
    const auto& cs = connection.connection_string;
    if (in_process) {
      connection.client = std::make_unique<EmbeddedServiceClient>(*options_.embedded_router);
    } else {
      connection.client = std::make_unique<RestServiceClient>(
          cs, []() -> net::HttpClient& { return thread_http_client(); });
    }
    spdlog::debug("connection setting '{}': {} ({})", setting, cs.base_url(),
                  in_process ? "in-process" : "REST");
    connections_.emplace(setting, std::move(connection));
  }
}

const FunctionHost::Connection& FunctionHost::connection(const std::string& setting) const {
  return connections_.at(setting);
}

void FunctionHost::start() {
  server_->listen(options_.bind_address, options_.port);
  for (auto& invoker : invokers_) invoker->start();
}

void FunctionHost::stop() {
  if (server_) {
    auto* server = server_.get();
    pool_.first().post([server] { server->stop(); });
  }
  for (auto& invoker : invokers_) invoker->stop();
}

std::vector<std::string> FunctionHost::describe() const {
  std::vector<std::string> lines;
  for (const auto& route : routes_) {
    std::string methods;
    for (const auto& m : route.function->http.methods) methods += (methods.empty() ? "" : ",") + m;
    if (methods.empty()) methods = "ALL";
    std::string prefix = app_.host.route_prefix.empty() ? "" : "/" + app_.host.route_prefix;
    lines.push_back(route.function->name + ": [" + methods + "] " +
                    (options_.http.tls ? "https" : "http") +
                    "://localhost:" + std::to_string(port()) + prefix + "/" + route.route.text());
  }
  for (const auto& trigger : triggers_) {
    const auto& spec = *trigger.function->signalr_trigger;
    lines.push_back(trigger.function->name + ": [signalRTrigger] hub '" + spec.hub_name + "', " +
                    spec.category + "/" + spec.event);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

void FunctionHost::upgrade(boost::asio::ip::tcp::socket socket, net::Request, exec::Shard&,
                           const boost::asio::ip::address&) {
  boost::system::error_code ignored;
  socket.close(ignored);  // the functions host serves no WebSockets
}

std::optional<Response> FunctionHost::static_file(const std::string& path) const {
  // The app's wwwroot/ is served for paths no function handles (index.html for folders). Only
  // files whose real path (symbolic links resolved) lies inside wwwroot's real path are served.
  namespace fs = std::filesystem;
  std::error_code ec;
  if (path.find('\0') != std::string::npos) return std::nullopt;  // refused earlier with a 400
  auto root = fs::canonical(app_.root / "wwwroot", ec);
  if (ec || !fs::is_directory(root, ec)) return std::nullopt;
  fs::path relative = fs::path(path).relative_path().lexically_normal();
  if (!relative.empty() && *relative.begin() == "..") return std::nullopt;
  auto inside_root = [&](const fs::path& candidate) -> std::optional<fs::path> {
    std::error_code error;
    auto real = fs::canonical(candidate, error);
    if (error) return std::nullopt;
    auto [root_end, unused] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    if (root_end != root.end()) return std::nullopt;
    return real;
  };
  auto file = inside_root(root / relative);
  if (file && fs::is_directory(*file, ec)) file = inside_root(*file / "index.html");
  if (!file || !fs::is_regular_file(*file, ec)) return std::nullopt;
  std::ifstream in(*file, std::ios::binary);
  if (!in) return std::nullopt;
  std::string body((std::istreambuf_iterator<char>(in)), {});
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"}};
  auto type = kTypes.find(file->extension().string());
  Response response =
      net::make_response(http::status::ok, std::move(body),
                         type == kTypes.end() ? "application/octet-stream" : type->second);
  response.set(http::field::cache_control, "no-cache");
  return response;
}

void FunctionHost::add_cors(const net::Request& request, Response& response) const {
  auto origin = request.find(http::field::origin);
  if (origin == request.end()) return;
  const auto& allowed = app_.settings.cors_origins;
  std::string value(origin->value());
  bool any = std::find(allowed.begin(), allowed.end(), "*") != allowed.end();
  bool listed = std::any_of(allowed.begin(), allowed.end(),
                            [&](const std::string& o) { return util::iequals(o, value); });
  if (!listed && !any) return;
  if (any && !listed && !app_.settings.cors_credentials) {
    response.set(http::field::access_control_allow_origin, "*");
    return;
  }
  response.set(http::field::access_control_allow_origin, value);
  response.set(http::field::vary, "Origin");
  if (app_.settings.cors_credentials)
    response.set(http::field::access_control_allow_credentials, "true");
}

std::optional<Response> FunctionHost::check_keys(const FunctionSpec& function,
                                                 const net::Request& request,
                                                 const util::Target& target) const {
  if (function.http.auth_level == AuthLevel::Anonymous) return std::nullopt;
  std::string key;
  if (auto it = request.find("x-functions-key"); it != request.end())
    key = std::string(it->value());
  if (key.empty())
    if (auto code = target.get("code")) key = std::string(*code);
  bool ok = key == keys_.master_key ||
            (function.http.auth_level == AuthLevel::Function && key == keys_.function_key);
  if (!key.empty() && ok) return std::nullopt;
  return json_error(http::status::unauthorized,
                    key.empty() ? "This function requires a key: send it in the x-functions-key "
                                  "header or the code query parameter."
                                : "The key is not valid for this function.");
}

boost::asio::awaitable<Response> FunctionHost::handle(net::Request& request,
                                                      const boost::asio::ip::address&) {
  // The request's id (request_id.hpp): in the request the function sees, its log lines and the
  // answer.
  const std::string id = net::request_id_for(request[net::kRequestIdHeader]);
  request.set(net::kRequestIdHeader, id);
  Response response = co_await answer(request);
  response.set(net::kRequestIdHeader, id);
  co_return response;
}

boost::asio::awaitable<Response> FunctionHost::answer(net::Request& request) {
  std::string_view raw_target = request.target();
  std::string_view raw_path = raw_target.substr(0, raw_target.find('?'));
  Response response;
  // A path that is not UTF-8 text, or holds a control character (NUL), is refused before anything
  // (routes, files, messages) uses it.
  if (auto problem = request_path_problem(raw_path)) {
    response = json_error(http::status::bad_request, *problem);
    add_cors(request, response);
    co_return response;
  }
  // GET /metrics (before the routes, like the webhook; --metrics-port frees the path).
  if (options_.serve_metrics && raw_path == "/metrics") co_return scrape_.answer(request);
  // The SignalR webhook (before the routes: a route prefix "" cannot hide it).
  if (SignalRWebhook::handles(util::percent_decode(raw_path, false)))
    co_return co_await webhook_->handle(request);
  if (request.method() == http::verb::options && request.count(http::field::origin)) {
    response = net::make_response(http::status::no_content);
    response.set(http::field::access_control_allow_methods,
                 "GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS");
    auto requested = request.find(http::field::access_control_request_headers);
    response.set(http::field::access_control_allow_headers,
                 requested != request.end()
                     ? std::string(requested->value())
                     : std::string("Content-Type, Authorization, "
                                   "X-Requested-With, X-SignalR-User-Agent"));
    response.set(http::field::access_control_max_age, "600");
    add_cors(request, response);
    co_return response;
  }
  // Strip the route prefix.
  std::string path = util::percent_decode(raw_path, false);
  std::string prefix = app_.host.route_prefix.empty() ? "/" : "/" + app_.host.route_prefix + "/";
  std::optional<std::string> relative;
  if (path.size() >= prefix.size() && util::iequals(path.substr(0, prefix.size()), prefix))
    relative = std::string(raw_path.substr(std::min(prefix.size(), raw_path.size())));
  else if (!app_.host.route_prefix.empty() && util::iequals(path, "/" + app_.host.route_prefix))
    relative = std::string();
  bool path_matched = false;
  if (relative) {
    for (const auto& route : routes_) {
      auto params = route.route.match(*relative);
      if (!params) continue;
      path_matched = true;
      const auto& methods = route.function->http.methods;
      std::string method(request.method_string());
      if (!methods.empty() &&
          std::find_if(methods.begin(), methods.end(), [&](const std::string& m) {
            return util::iequals(m, method);
          }) == methods.end())
        continue;
      response = co_await invoke(route, request, std::move(*params));
      add_cors(request, response);
      co_return response;
    }
  }
  if (!path_matched &&
      (request.method() == http::verb::get || request.method() == http::verb::head)) {
    if (auto file = static_file(path)) {
      add_cors(request, *file);
      co_return std::move(*file);
    }
  }
  response = path_matched ? json_error(http::status::method_not_allowed,
                                       "Method " + std::string(request.method_string()) +
                                           " is not allowed for " + std::string(raw_path) + ".")
                          : json_error(http::status::not_found,
                                       "No function at " + std::string(raw_path) + ".");
  add_cors(request, response);
  co_return response;
}

boost::asio::awaitable<Response> FunctionHost::invoke(const Route& route, net::Request& request,
                                                      std::map<std::string, std::string> params) {
  const FunctionSpec& function = *route.function;
  auto started = std::chrono::steady_clock::now();
  Invocation invocation;
  invocation.id = auth::random_uuid();
  invocation.function = &function;
  invocation.raw_request = &request;
  const std::string request_id(request[net::kRequestIdHeader]);
  auto finish = [&](Response response, const std::string& error = {}) {
    const auto took = std::chrono::steady_clock::now() - started;
    metrics_->invocation(function.name, error.empty(), took);
    auto ms = std::chrono::duration_cast<std::chrono::microseconds>(took).count() / 1000.0;
    logging::ScopedLogFields fields{
        {"request_id", request_id}, {"function", function.name}, {"invocation_id", invocation.id}};
    if (error.empty())
      spdlog::info("Executed 'Functions.{}' (Succeeded, Id={}, Duration={:.1f}ms) {}",
                   function.name, invocation.id, ms, response.result_int());
    else
      spdlog::warn("Executed 'Functions.{}' (Failed, Id={}, Duration={:.1f}ms) {}: {}",
                   function.name, invocation.id, ms, response.result_int(), error);
    return response;
  };

  // The invocation payload is JSON: query and header text that is not UTF-8 cannot travel in it.
  const auto target = util::parse_target(request.target());
  if (auto problem = request_fields_problem(request, target))
    co_return finish(json_error(http::status::bad_request, *problem), *problem);
  if (auto denied = check_keys(function, request, target))
    co_return finish(std::move(*denied), "no valid key");

  if (auto refused = apply_identity(request, identity_, now_seconds()))
    co_return finish(json_error(http::status::unauthorized, *refused), *refused);

  // The Host header when it is a bare host[:port] (one such as "h/x?y#" must not re-shape the
  // URL the function sees), else this host's own address.
  const auto host = util::parse_authority(request[http::field::host]);
  const std::string base_url = (options_.http.tls ? "https://" : "http://") +
                               (host ? host->authority() : "localhost:" + std::to_string(port()));
  auto input = http_trigger_input(request, target, params, base_url, function, invocation.id);
  BindingData& data = input.data;
  data.app_setting = [this](const std::string& name) { return app_.setting(name); };
  invocation.data[function.http.binding_name] = std::move(input.request);
  invocation.metadata = std::move(input.metadata);

  try {
    add_connection_infos(function, data, invocation);
  } catch (const InvocationError& e) {
    co_return finish(json_error(static_cast<http::status>(e.status()), e.what()), e.what());
  }

  InvocationResult result;
  try {
    result = co_await route.invoker->invoke(invocation);
  } catch (const InvocationError& e) {
    co_return finish(json_error(static_cast<http::status>(e.status()), e.what()), e.what());
  }
  {
    logging::ScopedLogFields fields{
        {"request_id", request_id}, {"function", function.name}, {"invocation_id", invocation.id}};
    for (const auto& line : result.logs) spdlog::info("[Functions.{}] {}", function.name, line);
  }
  if (result.forwarded_response) co_return finish(std::move(*result.forwarded_response));

  try {
    co_await send_signalr_outputs(function, result, data);
  } catch (const InvocationError& e) {
    co_return finish(json_error(static_cast<http::status>(e.status()), e.what()), e.what());
  }

  try {
    co_return finish(http_answer(function, result));
  } catch (const InvocationError& e) {
    co_return finish(json_error(static_cast<http::status>(e.status()), e.what()), e.what());
  }
}

void FunctionHost::add_connection_infos(const FunctionSpec& function, const BindingData& data,
                                        Invocation& invocation) const {
  for (const auto& info : function.connection_infos) {
    auto hub = resolve_binding_expression(info.hub_name, data);
    if (!hub.value) throw InvocationError(400, hub.error);
    if (auto problem = protocol::validate_hub_name(*hub.value); !problem.empty())
      throw InvocationError(400, problem);
    std::string user_id;
    if (!info.user_id.empty()) {
      auto user = resolve_binding_expression(info.user_id, data);
      if (!user.value) throw InvocationError(400, user.error);
      user_id = *user.value;
    }
    const auto& cs = connection(info.connection_string_setting).connection_string;
    auth::TokenRequest token;
    token.audience = cs.client_audience(*hub.value);
    token.user_id = user_id;
    token.now = now_seconds();
    if (!info.id_token.empty() && !info.claim_type_list.empty()) {
      auto id_token = resolve_binding_expression(info.id_token, data);
      if (id_token.value) {
        // Claims of the id token (read, not verified, as the extension does), filtered by type.
        auto decoded = auth::decode_jwt(*id_token.value);
        if (decoded.error == auth::JwtFormatError::TooLarge)
          throw InvocationError(
              400, "The idToken is " + auth::jwt_too_large(id_token.value->size()) + ".");
        if (decoded.jwt) {
          const auto& claims = decoded.jwt->payload;
          for (const auto& type : info.claim_type_list) {
            auto it = claims.find(type);
            if (it == claims.end()) continue;
            std::string name = (type == "aud" || type == "exp" || type == "iat" || type == "nbf")
                                   ? "asrs.u." + type
                                   : type;
            auto add = [&](const auth::JwtJson& v) {
              token.claims.emplace_back(name, v.is_string() ? v.get<std::string>() : v.dump());
            };
            if (it->is_array())
              for (const auto& v : *it) add(v);
            else
              add(*it);
          }
        }
      }
    }
    invocation.data[info.name] = {{"url", cs.client_url(*hub.value)},
                                  {"accessToken", auth::issue_token(token, cs.access_key)}};
  }
}

boost::asio::awaitable<void> FunctionHost::send_signalr_outputs(const FunctionSpec& function,
                                                                const InvocationResult& result,
                                                                const BindingData& data) {
  // signalR outputs: every item of every binding validated before any is sent, then in order.
  std::vector<std::pair<const SignalROutputSpec*, std::vector<SignalROutputItem>>> batches;
  for (const auto& out : function.signalr_outputs) {
    auto parsed = parse_signalr_output(output_value(result, out.name));
    if (!parsed.error.empty()) {
      std::string message = "Function '" + function.name + "', output binding '" + out.name +
                            "': " + parsed.error + ". Nothing was sent.";
      throw InvocationError(500, message);
    }
    batches.emplace_back(&out, std::move(parsed.items));
  }
  for (auto& [out, items] : batches) {
    if (items.empty()) continue;
    auto hub = resolve_binding_expression(out->hub_name, data);
    if (!hub.value) throw InvocationError(400, hub.error);
    auto& client = *connection(out->connection_string_setting).client;
    for (auto& item : items) {
      try {
        co_await client.apply(*hub.value, std::move(item));
      } catch (const ServiceCallError& e) {
        throw InvocationError(e.status(), e.what());
      }
    }
  }
}

boost::asio::awaitable<nlohmann::json> FunctionHost::run_trigger(
    const SignalRWebhook::Trigger& trigger, Invocation& invocation, const BindingData& data) {
  const FunctionSpec& function = *trigger.function;
  // Counted explicitly when the run completes or throws, never from a destructor: a frame that
  // is destroyed without being resumed (ShardPool at exit) runs destructors but no catch block,
  // and by then the host and its function names are gone.
  const auto started = std::chrono::steady_clock::now();
  InvocationResult result;
  try {
    add_connection_infos(function, data, invocation);
    result = co_await trigger.invoker->invoke(invocation);
    for (const auto& line : result.logs) spdlog::info("[Functions.{}] {}", function.name, line);
    co_await send_signalr_outputs(function, result, data);
  } catch (...) {
    metrics_->invocation(function.name, false, std::chrono::steady_clock::now() - started);
    throw;
  }
  metrics_->invocation(function.name, true, std::chrono::steady_clock::now() - started);
  // A `$return` output binding takes the return value: the invocation then has no result.
  for (const auto& out : function.signalr_outputs)
    if (out.name == "$return") co_return nlohmann::json();
  co_return result.return_value;
}

}  // namespace switchboard::functions
