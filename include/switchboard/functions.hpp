// The public C++ API for writing Azure-Functions-style functions in C++: declare a function and
// its bindings in code (the counterpart of C#'s attributes, or of function.json), write its body
// as a callable, and run the host with switchboard::run_functions(argc, argv, app).
//
//   switchboard::FunctionRegistry app;
//   app.function("negotiate")
//       .http_trigger({"post"}, "anonymous")
//       .connection_info("connectionInfo", "chat", "{headers.x-ms-client-principal-id}")
//       .http_output("$return")
//       .handler([](switchboard::FunctionContext& ctx) {
//       ctx.set_return(ctx.input("connectionInfo")); });
//   int main(int argc, char** argv) { return switchboard::run_functions(argc, argv, app); }
//
// A signalRTrigger function returns the result of the client's invocation:
//
//   app.function("broadcast")
//       .signalr_trigger("invocation", "chat", "messages", "broadcast", {"text"})
//       .signalr_output("signalRMessages", "chat")
//       .trigger_handler([](const switchboard::InvocationContext& inv,
//                           switchboard::FunctionContext& ctx) -> nlohmann::json {
//         ctx.set_output("signalRMessages", {{"target", "newMessage"}, {"arguments",
//         inv.arguments}}); return "sent";  // the client's invoke() resolves with "sent"; a throw
//         rejects it
//       });
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard {

// What a signalRTrigger function is told about the client's event: the Functions extension's
// InvocationContext (its JSON form has PascalCase keys: Arguments, Error, Category, ...).
struct InvocationContext {
  nlohmann::json arguments = nlohmann::json::array();  // messages: the invocation's arguments
  std::string error;     // disconnected: the close error ("" when it closed cleanly)
  std::string category;  // "connections" or "messages"
  std::string event;     // "connect", "connected", "disconnected", or the message's target
  std::string hub;
  std::string connection_id;
  std::string user_id;                         // "" when the connection has no user
  std::map<std::string, std::string> headers;  // the webhook request's headers
  std::map<std::string, std::string> query;    // the client's connect query
  std::map<std::string, std::string> claims;   // the client's claims, first value per type

  // From the JSON form (keys in any case); missing keys stay empty.
  static InvocationContext from_json(const nlohmann::json& value);
};

// What a C++ function sees of its invocation.
class FunctionContext {
 public:
  // `data`: binding values by name; `metadata`: binding data (e.g. parameterNames values).
  FunctionContext(const nlohmann::json& data, std::string trigger_name,
                  const nlohmann::json* metadata = nullptr);

  // The HTTP trigger's request: method, url, header/query/route values and the body.
  std::string method() const;
  std::string url() const;
  std::string header(std::string_view name) const;  // case-insensitive; "" when absent
  std::string query(std::string_view name) const;   // "" when absent
  std::string param(std::string_view name) const;   // route parameter; "" when absent
  std::string body() const;                         // the body's bytes, exactly as sent
  nlohmann::json body_json() const;                 // parsed body; null when not JSON

  // An input binding's value, e.g. the connection info {url, accessToken}; null when absent.
  const nlohmann::json& input(std::string_view binding_name) const;
  // A signalRTrigger function's InvocationContext (empty fields for other functions).
  InvocationContext invocation() const;
  // A binding data value by name (case-insensitive), e.g. an argument named by parameterNames;
  // null when absent.
  const nlohmann::json& binding_data(std::string_view name) const;
  // Sets an output binding's value: a signalR item or array of items, or an HTTP response
  // object {status, headers, body} for an http output. A body of bytes that are not UTF-8 is a
  // nlohmann::json::binary value, or base64 text with "bodyEncoding": "base64".
  void set_output(std::string_view binding_name, nlohmann::json value);
  // The function's return value, for a `$return` output binding.
  void set_return(nlohmann::json value);
  void log(std::string line);

  const nlohmann::json& outputs() const { return outputs_; }
  const nlohmann::json& return_value() const { return return_value_; }
  const std::vector<std::string>& logs() const { return logs_; }

 private:
  const nlohmann::json& data_;
  std::string trigger_name_;
  const nlohmann::json* metadata_;
  nlohmann::json outputs_ = nlohmann::json::object();
  nlohmann::json return_value_;
  std::vector<std::string> logs_;
};

using FunctionHandler = std::function<void(FunctionContext&)>;
// A signalRTrigger function's body: the value it returns is the invocation's result (null: none);
// an exception it throws fails the invocation with what() as the client's error.
using TriggerHandler = std::function<nlohmann::json(const InvocationContext&, FunctionContext&)>;

// One function declared in code. Each call adds a binding to its function.json equivalent.
class FunctionDeclaration {
 public:
  explicit FunctionDeclaration(std::string name);

  FunctionDeclaration& http_trigger(std::vector<std::string> methods = {},
                                    std::string auth_level = "anonymous", std::string route = {},
                                    std::string name = "req");
  FunctionDeclaration& http_output(std::string name = "$return");
  FunctionDeclaration& connection_info(std::string name, std::string hub_name,
                                       std::string user_id = {},
                                       std::string connection_string_setting = {});
  FunctionDeclaration& signalr_output(std::string name, std::string hub_name,
                                      std::string connection_string_setting = {});
  // category "connections" (event "connect", "connected" or "disconnected") or "messages" (the
  // event is the target clients invoke); parameter_names name the arguments as binding data.
  FunctionDeclaration& signalr_trigger(std::string name, std::string hub_name, std::string category,
                                       std::string event,
                                       std::vector<std::string> parameter_names = {},
                                       std::string connection_string_setting = {});
  // Any other binding, as it would be written in function.json.
  FunctionDeclaration& binding(nlohmann::json binding);
  FunctionDeclaration& handler(FunctionHandler handler);
  // The body of a signalRTrigger function (its return value becomes the function's return value).
  FunctionDeclaration& trigger_handler(TriggerHandler handler);

  const std::string& name() const { return name_; }
  // The function.json this declaration stands for.
  const nlohmann::json& function_json() const { return function_json_; }
  const FunctionHandler& handler() const { return handler_; }

 private:
  std::string name_;
  nlohmann::json function_json_;
  FunctionHandler handler_;
};

class FunctionRegistry {
 public:
  FunctionDeclaration& function(std::string name);
  const std::map<std::string, FunctionDeclaration>& functions() const { return functions_; }

 private:
  std::map<std::string, FunctionDeclaration> functions_;
};

// Runs the `switchboard` command line (`start [APP_DIR]`, `functions [APP_DIR]`, `service`,
// `token`) with `registry`'s functions added to the app. Returns the exit code.
int run_functions(int argc, char** argv, const FunctionRegistry& registry);

}  // namespace switchboard
