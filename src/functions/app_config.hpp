// A function app as Azure Functions lays it out: host.json, local.settings.json and one folder per
// function with its function.json. Loading validates everything up front and throws AppError with
// a message naming the file, the function and the field; nothing half-starts. Pure (files only).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace switchboard::functions {

class AppError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class AuthLevel { Anonymous, Function, Admin };
enum class Direction { In, Out, InOut };

// One entry of function.json "bindings", with its type and direction normalised.
struct Binding {
  std::string type;        // as written, e.g. "signalRConnectionInfo"
  std::string type_lower;  // lower-cased, e.g. "signalrconnectioninfo"
  std::string name;        // "$return" allowed for outputs
  Direction direction = Direction::In;
  nlohmann::json raw;  // the binding object as written
  // A property by case-insensitive name, as a string ("" when absent or not a string).
  std::string get(std::string_view key) const;
};

struct HttpTriggerSpec {
  std::string binding_name = "req";
  std::vector<std::string> methods;  // upper-case; empty: every method
  std::string route;                 // template without the route prefix; default: function name
  AuthLevel auth_level = AuthLevel::Function;  // function.json's default
};

struct ConnectionInfoSpec {
  std::string name;
  std::string hub_name;  // may hold binding expressions
  std::string user_id;   // may hold binding expressions; empty: none
  std::string id_token;  // may hold binding expressions; empty: none
  std::vector<std::string> claim_type_list;
  std::string connection_string_setting = "AzureSignalRConnectionString";
  bool negotiation = false;  // a signalRNegotiation binding: value {"endpoints":[...]}
};

struct SignalROutputSpec {
  std::string name;      // binding name or "$return"
  std::string hub_name;  // may hold binding expressions
  std::string connection_string_setting = "AzureSignalRConnectionString";
};

// A signalRTrigger binding: the function handles one (hub, category, event) of the SignalR
// webhook (POST /runtime/webhooks/signalr).
struct SignalRTriggerSpec {
  std::string name;      // the binding name: the InvocationContext's name in the function's data
  std::string hub_name;  // %AppSetting% references resolved
  std::string category;  // "connections" or "messages" (lower-case)
  std::string event;     // connections: "connect", "connected" or "disconnected" (lower-case);
                         // messages: the target clients invoke, as written
  std::vector<std::string> parameter_names;  // argument i -> binding data parameter_names[i]
  std::string connection_string_setting = "AzureSignalRConnectionString";
};

struct FunctionSpec {
  std::string name;  // the folder name
  std::filesystem::path directory;
  std::filesystem::path function_json;
  std::string script_file;                 // "scriptFile" when given, else ""
  std::string entry_point;                 // "entryPoint" when given, else ""
  bool disabled = false;                   // "disabled": true
  HttpTriggerSpec http;                    // meaningful for HTTP functions (is_http())
  std::optional<std::string> http_output;  // name of the "http" out binding ("res", "$return")
  std::vector<ConnectionInfoSpec> connection_infos;
  std::vector<SignalROutputSpec> signalr_outputs;
  std::optional<SignalRTriggerSpec> signalr_trigger;  // set: not an HTTP function
  std::vector<Binding> bindings;                      // every binding, in file order

  bool is_http() const { return !signalr_trigger; }
  // The trigger binding's name: the httpTrigger's or the signalRTrigger's.
  const std::string& trigger_binding_name() const {
    return signalr_trigger ? signalr_trigger->name : http.binding_name;
  }
};

struct CustomHandlerSpec {
  std::string executable;              // defaultExecutablePath, resolved against the app root
  std::vector<std::string> arguments;  // %VAR% expanded from app settings / environment
  std::string working_directory;       // resolved against the app root; default: the app root
  bool enable_forwarding_http_request = false;
  // The process must prove it holds its start's worker secret before it gets any request with
  // it (functions/runtime/worker_secret.hpp): set for the language workers, which all do.
  bool proves_secret = false;
};

struct HostConfig {
  std::string version;                              // must be "2.0"
  std::string route_prefix = "api";                 // extensions.http.routePrefix ("" allowed)
  std::optional<CustomHandlerSpec> custom_handler;  // "customHandler" (or legacy "httpWorker")
  std::chrono::milliseconds function_timeout{std::chrono::minutes(5)};  // "hh:mm:ss"
};

struct LocalSettings {
  std::map<std::string, std::string> values;              // "Values"
  std::map<std::string, std::string> connection_strings;  // "ConnectionStrings"
  std::optional<int> local_http_port;                     // "Host.LocalHttpPort"
  std::vector<std::string> cors_origins;                  // "Host.CORS", split on ','
  bool cors_credentials = false;                          // "Host.CORSCredentials"
};

using EnvironmentLookup = std::function<std::optional<std::string>(const std::string&)>;

struct FunctionApp {
  std::filesystem::path root;
  HostConfig host;
  LocalSettings settings;
  std::vector<FunctionSpec> functions;  // sorted by name
  EnvironmentLookup environment;        // overrides Values

  // An app setting: the environment variable wins over local.settings.json Values.
  std::optional<std::string> setting(const std::string& name) const;
  // A connection string setting: `ConnectionStrings:<name>` (environment, then the
  // ConnectionStrings section), then the app setting `<name>`.
  std::optional<std::string> connection_string(const std::string& setting_name) const;
};

struct LoadOptions {
  // When true (the embedded `start` command), a SignalR binding whose connection setting is
  // missing is allowed: the embedded service's connection string is provided.
  bool connection_string_provided = false;
  EnvironmentLookup environment;  // defaults to ::getenv
  // Functions declared in code (name -> the function.json they stand for). A folder function of
  // the same name keeps its function.json.
  std::map<std::string, nlohmann::json> code_functions;
};

// Loads and validates the app at `root` (empty: no folder, only `code_functions`, default
// settings from the environment). Throws AppError naming the file, function and field:
// unreadable or invalid JSON, a host.json version other than 2.0, an unknown binding type, a
// missing name/type/direction, a wrong direction for the type, duplicate binding names, a
// function without exactly one trigger (httpTrigger or signalRTrigger), a signalR binding without
// hubName, a missing connection setting (unless provided), an invalid route template, an invalid
// authLevel or method, two functions with the same route and overlapping methods, a bad
// functionTimeout, an invalid signalRTrigger (category, event, parameterNames, an undefined
// %AppSetting%), two functions triggered by the same (hub, category, event).
FunctionApp load_function_app(const std::filesystem::path& root, const LoadOptions& options = {});

}  // namespace switchboard::functions
