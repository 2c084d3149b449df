// Unit tests for loading a function app: host.json, local.settings.json and function.json files
// written to temporary directories, the seed examples, and every validation error message.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>

#include "functions/app_config.hpp"
#include "temp_app.hpp"

namespace switchboard::functions {
namespace {

namespace fs = std::filesystem;

constexpr const char* kEmulatorConnection =
    "Endpoint=http://localhost;Port=8888;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;"
    "Version=1.0;";

// Options whose environment is exactly `env` (the real process environment is never read).
LoadOptions options_with(std::map<std::string, std::string> env = {}, bool provided = false) {
  LoadOptions options;
  options.connection_string_provided = provided;
  options.environment =
      [env = std::move(env)](const std::string& name) -> std::optional<std::string> {
    auto it = env.find(name);
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
  return options;
}

std::string load_error(const TempApp& app, const LoadOptions& options = options_with()) {
  try {
    load_function_app(app.root(), options);
  } catch (const AppError& e) {
    return e.what();
  }
  return "";
}

const FunctionSpec& find_function(const FunctionApp& app, const std::string& name) {
  for (const auto& fn : app.functions)
    if (fn.name == name) return fn;
  throw std::runtime_error("no function " + name);
}

// An app with the default connection setting defined, ready for one more function.
void basic_app(const TempApp& app) {
  app.host();
  app.settings(std::string(R"({"Values": {"AzureSignalRConnectionString": ")") +
               kEmulatorConnection + "\"}}");
}

// The negotiate function of the seeds (JavaScript tab), in a complete function.json.
constexpr const char* kNegotiate = R"({
  "disabled": false,
  "bindings": [
    { "authLevel": "anonymous", "type": "httpTrigger", "direction": "in", "name": "req",
      "methods": ["post"] },
    { "type": "http", "direction": "out", "name": "res" },
    { "type": "signalRConnectionInfo", "name": "connectionInfo", "hubName": "chat",
      "userId": "{headers.x-ms-client-principal-id}",
      "connectionStringSetting": "AzureSignalRConnectionString", "direction": "in" }
  ]
})";

// ---------------------------------------------------------------------------------------------
// The seed examples.

TEST(AppConfig, LoadsTheSeedChatApp) {
  TempApp app;
  app.host();
  app.settings(std::string(R"({
    "IsEncrypted": false,
    "Values": { "FUNCTIONS_WORKER_RUNTIME": "node", "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "AzureSignalRConnectionString": ")") +
               kEmulatorConnection + R"(" },
    "Host": { "LocalHttpPort": 7071, "CORS": "http://localhost:8080", "CORSCredentials": true },
    "ConnectionStrings": {}
  })");
  app.function("negotiate", kNegotiate);
  // JavaScript broadcast: context.bindings.signalRMessages = [...]
  app.function("messages", R"({ "bindings": [
    { "type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous",
      "methods": ["post"] },
    { "type": "http", "direction": "out", "name": "res" },
    { "type": "signalR", "name": "signalRMessages", "hubName": "chat",
      "connectionStringSetting": "AzureSignalRConnectionString", "direction": "out" } ] })");
  // Python: out_message.set(json.dumps(...)), HttpResponse returned through $return.
  app.function("sendmessage", R"({ "scriptFile": "__init__.py", "bindings": [
    { "authLevel": "anonymous", "type": "httpTrigger", "direction": "in", "name": "req",
      "methods": ["post"] },
    { "type": "http", "direction": "out", "name": "$return" },
    { "type": "signalR", "name": "out_message", "hubName": "chat",
      "connectionStringSetting": "AzureSignalRConnectionString", "direction": "out" } ] })");
  // Group management (JavaScript and Python names), no http output binding.
  app.function("addToGroup", R"({ "bindings": [
    { "type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous",
      "methods": ["post"] },
    { "type": "signalR", "name": "signalRGroupActions", "connectionStringSetting":
      "AzureSignalRConnectionString", "hubName": "chat", "direction": "out" } ] })");
  app.function("removeFromGroup", R"({ "bindings": [
    { "type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous",
      "methods": ["post"] },
    { "type": "signalR", "name": "action", "hubName": "chat", "direction": "out" } ] })");
  // Java-style: the signalR output is the return value.
  app.function("sendToUser", R"({ "bindings": [
    { "type": "httpTrigger", "direction": "in", "name": "req", "authLevel": "anonymous",
      "methods": ["post"] },
    { "type": "signalR", "name": "$return", "hubName": "chat", "direction": "out" } ] })");

  FunctionApp loaded = load_function_app(app.root(), options_with());
  EXPECT_EQ(loaded.root, app.root());
  EXPECT_EQ(loaded.host.version, "2.0");
  EXPECT_EQ(loaded.host.route_prefix, "api");
  EXPECT_FALSE(loaded.host.custom_handler);
  EXPECT_EQ(loaded.host.function_timeout, std::chrono::minutes(5));
  EXPECT_EQ(loaded.settings.local_http_port, 7071);
  EXPECT_EQ(loaded.settings.cors_origins, std::vector<std::string>{"http://localhost:8080"});
  EXPECT_TRUE(loaded.settings.cors_credentials);
  EXPECT_EQ(loaded.settings.values.at("FUNCTIONS_WORKER_RUNTIME"), "node");
  EXPECT_EQ(loaded.connection_string("AzureSignalRConnectionString"), kEmulatorConnection);

  ASSERT_EQ(loaded.functions.size(), 6u);
  std::vector<std::string> names;
  for (const auto& fn : loaded.functions) names.push_back(fn.name);
  EXPECT_EQ(names, (std::vector<std::string>{"addToGroup", "messages", "negotiate",
                                             "removeFromGroup", "sendToUser", "sendmessage"}));

  const FunctionSpec& negotiate = find_function(loaded, "negotiate");
  EXPECT_EQ(negotiate.directory, app.root() / "negotiate");
  EXPECT_EQ(negotiate.function_json, app.root() / "negotiate" / "function.json");
  EXPECT_FALSE(negotiate.disabled);
  EXPECT_EQ(negotiate.script_file, "");
  EXPECT_EQ(negotiate.http.binding_name, "req");
  EXPECT_EQ(negotiate.http.methods, std::vector<std::string>{"POST"});
  EXPECT_EQ(negotiate.http.route, "negotiate");
  EXPECT_EQ(negotiate.http.auth_level, AuthLevel::Anonymous);
  EXPECT_EQ(negotiate.http_output, "res");
  ASSERT_EQ(negotiate.connection_infos.size(), 1u);
  const ConnectionInfoSpec& info = negotiate.connection_infos[0];
  EXPECT_EQ(info.name, "connectionInfo");
  EXPECT_EQ(info.hub_name, "chat");
  EXPECT_EQ(info.user_id, "{headers.x-ms-client-principal-id}");
  EXPECT_EQ(info.id_token, "");
  EXPECT_TRUE(info.claim_type_list.empty());
  EXPECT_EQ(info.connection_string_setting, "AzureSignalRConnectionString");
  EXPECT_FALSE(info.negotiation);
  EXPECT_TRUE(negotiate.signalr_outputs.empty());
  ASSERT_EQ(negotiate.bindings.size(), 3u);
  EXPECT_EQ(negotiate.bindings[0].type, "httpTrigger");
  EXPECT_EQ(negotiate.bindings[0].type_lower, "httptrigger");
  EXPECT_EQ(negotiate.bindings[0].direction, Direction::In);
  EXPECT_EQ(negotiate.bindings[1].type_lower, "http");
  EXPECT_EQ(negotiate.bindings[1].direction, Direction::Out);
  EXPECT_EQ(negotiate.bindings[2].type, "signalRConnectionInfo");
  EXPECT_EQ(negotiate.bindings[2].name, "connectionInfo");
  EXPECT_EQ(negotiate.bindings[2].get("HUBNAME"), "chat");
  EXPECT_EQ(negotiate.bindings[2].get("missing"), "");
  EXPECT_EQ(negotiate.bindings[0].get("methods"), "");  // not a string
  EXPECT_EQ(negotiate.bindings[2].raw.at("userId"), "{headers.x-ms-client-principal-id}");

  const FunctionSpec& messages = find_function(loaded, "messages");
  EXPECT_EQ(messages.http_output, "res");
  ASSERT_EQ(messages.signalr_outputs.size(), 1u);
  EXPECT_EQ(messages.signalr_outputs[0].name, "signalRMessages");
  EXPECT_EQ(messages.signalr_outputs[0].hub_name, "chat");
  EXPECT_EQ(messages.signalr_outputs[0].connection_string_setting, "AzureSignalRConnectionString");

  const FunctionSpec& python = find_function(loaded, "sendmessage");
  EXPECT_EQ(python.script_file, "__init__.py");
  EXPECT_EQ(python.http_output, "$return");
  ASSERT_EQ(python.signalr_outputs.size(), 1u);
  EXPECT_EQ(python.signalr_outputs[0].name, "out_message");

  EXPECT_FALSE(find_function(loaded, "addToGroup").http_output);
  EXPECT_EQ(find_function(loaded, "addToGroup").signalr_outputs.at(0).name, "signalRGroupActions");
  EXPECT_EQ(find_function(loaded, "removeFromGroup").signalr_outputs.at(0).name, "action");
  EXPECT_EQ(
      find_function(loaded, "removeFromGroup").signalr_outputs.at(0).connection_string_setting,
      "AzureSignalRConnectionString");
  EXPECT_EQ(find_function(loaded, "sendToUser").signalr_outputs.at(0).name, "$return");
}

TEST(AppConfig, SeedPlaceholdersNeedTheirConnectionSetting) {
  // The seeds write "<hub_name>" and "<name of setting ...>" as placeholders.
  TempApp app;
  app.host();
  app.function("broadcast", R"({ "bindings": [
    { "type": "httpTrigger", "direction": "in", "name": "req" },
    { "type": "signalR", "name": "signalRMessages", "hubName": "<hub_name>",
      "connectionStringSetting": "<name of setting containing SignalR Service connection string>",
      "direction": "out" } ] })");
  EXPECT_EQ(
      load_error(app),
      app.path("broadcast/function.json") +
          ": binding 1 (type 'signalR'): the connection setting '<name of setting "
          "containing SignalR Service connection string>' is not defined (local.settings.json "
          "Values, ConnectionStrings, or environment)");
  // The embedded `start` command provides the connection string itself.
  FunctionApp loaded = load_function_app(app.root(), options_with({}, /*provided=*/true));
  const FunctionSpec& fn = loaded.functions.at(0);
  EXPECT_EQ(fn.signalr_outputs.at(0).hub_name, "<hub_name>");
  EXPECT_EQ(fn.signalr_outputs.at(0).connection_string_setting,
            "<name of setting containing SignalR Service connection string>");
  EXPECT_EQ(fn.http.auth_level, AuthLevel::Function);  // function.json's default
  EXPECT_TRUE(fn.http.methods.empty());                // every method
  EXPECT_EQ(fn.http.route, "broadcast");
  EXPECT_FALSE(fn.http_output);
}

TEST(AppConfig, MissingDefaultConnectionSetting) {
  TempApp app;
  app.host();
  app.function("negotiate", kNegotiate);
  EXPECT_EQ(load_error(app), app.path("negotiate/function.json") +
                                 ": binding 2 (type 'signalRConnectionInfo'): the connection "
                                 "setting 'AzureSignalRConnectionString' is not defined "
                                 "(local.settings.json Values, ConnectionStrings, or environment)");
  // Defined in the environment, in ConnectionStrings, or under ConnectionStrings: in the
  // environment.
  EXPECT_EQ(load_error(app, options_with({{"AzureSignalRConnectionString", kEmulatorConnection}})),
            "");
  EXPECT_EQ(load_error(app, options_with({{"ConnectionStrings:AzureSignalRConnectionString",
                                           kEmulatorConnection}})),
            "");
  app.settings(std::string(R"({"ConnectionStrings": {"AzureSignalRConnectionString": ")") +
               kEmulatorConnection + "\"}}");
  EXPECT_EQ(load_error(app), "");
  // An empty value is not a connection string.
  app.settings(R"({"Values": {"AzureSignalRConnectionString": ""}})");
  EXPECT_NE(load_error(app).find("the connection setting 'AzureSignalRConnectionString' is not "
                                 "defined"),
            std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// host.json

TEST(AppConfig, RootAndHostJsonErrors) {
  TempApp app;
  fs::path missing = app.root() / "nope";
  try {
    load_function_app(missing, options_with());
    FAIL() << "expected AppError";
  } catch (const AppError& e) {
    EXPECT_EQ(std::string(e.what()), missing.string() + ": no such directory");
  }
  app.write("file.txt", "x");
  try {
    load_function_app(app.root() / "file.txt", options_with());
    FAIL() << "expected AppError";
  } catch (const AppError& e) {
    EXPECT_EQ(std::string(e.what()), app.path("file.txt") + ": not a directory");
  }
  EXPECT_EQ(load_error(app), app.path("host.json") + ": not found");
  app.host("{ \"version\": ");
  EXPECT_EQ(load_error(app).rfind(app.path("host.json") + ": invalid JSON: ", 0), 0u)
      << load_error(app);
  // A number too large for a double is invalid JSON too (nlohmann throws out_of_range for it).
  app.host("{ \"version\": \"2.0\", \"functionTimeout\": 1e99999 }");
  EXPECT_EQ(load_error(app).rfind(app.path("host.json") + ": invalid JSON: ", 0), 0u)
      << load_error(app);
  app.host("[]");
  EXPECT_EQ(load_error(app), app.path("host.json") + ": must be a JSON object");
  app.host("{}");
  EXPECT_EQ(load_error(app), app.path("host.json") + ": missing 'version' (expected \"2.0\")");
  app.host(R"({"version": "1.0"})");
  EXPECT_EQ(load_error(app), app.path("host.json") + ": 'version' must be \"2.0\", got \"1.0\"");
  app.host(R"({"version": 2})");
  EXPECT_EQ(load_error(app), app.path("host.json") + ": 'version' must be \"2.0\", got 2");
  // Comments and a byte order mark are tolerated; the version key is case-insensitive.
  app.host("\xEF\xBB\xBF{ // comment\n \"Version\": \"2.0\" }");
  EXPECT_EQ(load_error(app), "");
}

TEST(AppConfig, EmptyAppLoads) {
  TempApp app;
  app.host();
  FunctionApp loaded = load_function_app(app.root(), options_with());
  EXPECT_TRUE(loaded.functions.empty());
  EXPECT_TRUE(loaded.settings.values.empty());
  EXPECT_FALSE(loaded.settings.local_http_port);
}

TEST(AppConfig, RoutePrefix) {
  TempApp app;
  app.host(R"({"version": "2.0", "extensions": {"http": {"routePrefix": "/v1/fns/"}}})");
  EXPECT_EQ(load_function_app(app.root(), options_with()).host.route_prefix, "v1/fns");
  app.host(R"({"version": "2.0", "Extensions": {"HTTP": {"RoutePrefix": ""}}})");
  EXPECT_EQ(load_function_app(app.root(), options_with()).host.route_prefix, "");
  app.host(R"({"version": "2.0", "extensions": {"http": {"routePrefix": 5}}})");
  EXPECT_EQ(load_error(app),
            app.path("host.json") + ": 'extensions.http.routePrefix' must be a string, got number");
  app.host(R"({"version": "2.0", "extensions": []})");
  EXPECT_EQ(load_error(app), app.path("host.json") + ": 'extensions' must be an object");
}

TEST(AppConfig, CustomHandler) {
  TempApp app;
  app.write("handler", "#!/bin/sh\n");
  app.settings(R"({"Values": {"HANDLER_MODE": "fast"}})");
  app.host(R"json({
    "version": "2.0",
    "customHandler": {
      "description": { "defaultExecutablePath": "handler",
                       "arguments": ["--mode", "%HANDLER_MODE%", "%FROM_ENV%", "%UNKNOWN%", "50%"] },
      "enableForwardingHttpRequest": true },
    "extensionBundle": { "id": "Microsoft.Azure.Functions.ExtensionBundle", "version": "[4.*, 5.0.0)" }
  })json");
  FunctionApp loaded = load_function_app(app.root(), options_with({{"FROM_ENV", "env-value"}}));
  ASSERT_TRUE(loaded.host.custom_handler);
  const CustomHandlerSpec& handler = *loaded.host.custom_handler;
  EXPECT_EQ(handler.executable, (app.root() / "handler").string());
  EXPECT_EQ(handler.arguments,
            (std::vector<std::string>{"--mode", "fast", "env-value", "%UNKNOWN%", "50%"}));
  EXPECT_EQ(handler.working_directory, app.root().string());
  EXPECT_TRUE(handler.enable_forwarding_http_request);

  // A working directory relative to the root; the executable found there.
  app.write("app/bin/server", "x");
  app.host(R"({"version": "2.0", "customHandler": {"description": {
    "defaultExecutablePath": "bin/server", "workingDirectory": "app"}}})");
  loaded = load_function_app(app.root(), options_with());
  EXPECT_EQ(loaded.host.custom_handler->executable, (app.root() / "app/bin/server").string());
  EXPECT_EQ(loaded.host.custom_handler->working_directory, (app.root() / "app").string());
  EXPECT_FALSE(loaded.host.custom_handler->enable_forwarding_http_request);
  EXPECT_TRUE(loaded.host.custom_handler->arguments.empty());

  // A bare command name that is not in the app is left for a PATH lookup; a relative path with
  // a directory part is resolved against the root even when missing.
  app.host(R"({"version": "2.0", "customHandler": {"description": {
    "defaultExecutablePath": "node", "arguments": ["server.js"]}}})");
  EXPECT_EQ(load_function_app(app.root(), options_with()).host.custom_handler->executable, "node");
  app.host(R"({"version": "2.0", "customHandler": {"description": {
    "defaultExecutablePath": "out/handler"}}})");
  EXPECT_EQ(load_function_app(app.root(), options_with()).host.custom_handler->executable,
            (app.root() / "out/handler").string());
  app.host(R"({"version": "2.0", "customHandler": {"description": {
    "defaultExecutablePath": "/usr/bin/env"}}})");
  EXPECT_EQ(load_function_app(app.root(), options_with()).host.custom_handler->executable,
            "/usr/bin/env");
}

TEST(AppConfig, LegacyHttpWorkerSection) {
  TempApp app;
  app.host(R"({"version": "2.0", "httpWorker": {"description": {"defaultExecutablePath": "/bin/w"},
                                                  "enableForwardingHttpRequest": true}})");
  FunctionApp loaded = load_function_app(app.root(), options_with());
  ASSERT_TRUE(loaded.host.custom_handler);
  EXPECT_EQ(loaded.host.custom_handler->executable, "/bin/w");
  EXPECT_TRUE(loaded.host.custom_handler->enable_forwarding_http_request);
  // customHandler wins when both are present.
  app.host(R"({"version": "2.0", "httpWorker": {"description": {"defaultExecutablePath": "/bin/w"}},
               "customHandler": {"description": {"defaultExecutablePath": "/bin/c"}}})");
  EXPECT_EQ(load_function_app(app.root(), options_with()).host.custom_handler->executable,
            "/bin/c");
}

TEST(AppConfig, CustomHandlerErrors) {
  TempApp app;
  app.host(R"({"version": "2.0", "customHandler": {}})");
  EXPECT_EQ(load_error(app), app.path("host.json") +
                                 ": 'customHandler.description.defaultExecutablePath' is required");
  app.host(
      R"({"version": "2.0", "customHandler": {"description": {"defaultExecutablePath": ""}}})");
  EXPECT_EQ(load_error(app), app.path("host.json") +
                                 ": 'customHandler.description.defaultExecutablePath' is required");
  app.host(R"({"version": "2.0", "httpWorker": {"description": {}}})");
  EXPECT_EQ(load_error(app),
            app.path("host.json") + ": 'httpWorker.description.defaultExecutablePath' is required");
  app.host(R"({"version": "2.0", "customHandler": "handler"})");
  EXPECT_EQ(load_error(app),
            app.path("host.json") + ": 'customHandler' must be an object, got string");
  app.host(R"({"version": "2.0", "customHandler": {"description": {
    "defaultExecutablePath": "h", "arguments": "--x"}}})");
  EXPECT_EQ(load_error(app),
            app.path("host.json") +
                ": 'customHandler.description.arguments' must be an array of strings");
  app.host(R"({"version": "2.0", "customHandler": {"description": {
    "defaultExecutablePath": "h", "arguments": ["--x", 1]}}})");
  EXPECT_EQ(load_error(app),
            app.path("host.json") +
                ": 'customHandler.description.arguments' must be an array of strings, found 1");
  app.host(R"({"version": "2.0", "customHandler": {"description": {"defaultExecutablePath": "h"},
                "enableForwardingHttpRequest": "yes"}})");
  EXPECT_EQ(load_error(app), app.path("host.json") +
                                 ": 'customHandler.enableForwardingHttpRequest' must be true or "
                                 "false, got \"yes\"");
}

TEST(AppConfig, FunctionTimeout) {
  TempApp app;
  auto timeout_of = [&](std::string_view value) {
    app.host(std::string(R"({"version": "2.0", "functionTimeout": )") + std::string(value) + "}");
    return load_function_app(app.root(), options_with()).host.function_timeout;
  };
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  using std::chrono::seconds;
  EXPECT_EQ(timeout_of(R"("00:10:00")"), minutes(10));
  EXPECT_EQ(timeout_of(R"("01:02:03")"), hours(1) + minutes(2) + seconds(3));
  EXPECT_EQ(timeout_of(R"("1.02:00:00")"), hours(26));
  EXPECT_EQ(timeout_of(R"("00:00:01.5")"), milliseconds(1500));
  EXPECT_EQ(timeout_of(R"("00:30")"), minutes(30));   // hh:mm
  EXPECT_GE(timeout_of(R"("-1")"), hours(24 * 365));  // unlimited
  EXPECT_EQ(timeout_of("null"), minutes(5));
  for (const char* bad :
       {R"("10")", R"("abc")", R"("24:00:00")", R"("00:60:00")", R"("00:00:60")", R"("00:00:00")",
        R"("1:2:3:4")", R"("-00:01:00")", R"("x.01:00:00")", "300"}) {
    app.host(std::string(R"({"version": "2.0", "functionTimeout": )") + bad + "}");
    EXPECT_EQ(load_error(app),
              app.path("host.json") + ": invalid 'functionTimeout' " + bad +
                  " (expected \"hh:mm:ss\", \"d.hh:mm:ss\" or \"-1\" for no limit)")
        << bad;
  }
  // The duration rule of every parser (util/duration.hpp): at most 2147483647 s, never wrapped.
  EXPECT_EQ(timeout_of(R"("24855.03:14:07")"), seconds(2147483647));
  app.host(R"({"version": "2.0", "functionTimeout": "999999999.00:00:00"})");
  EXPECT_EQ(load_error(app), app.path("host.json") +
                                 ": invalid 'functionTimeout' \"999999999.00:00:00\": longer "
                                 "than 2147483647 seconds (use \"-1\" for no limit)");
}

// ---------------------------------------------------------------------------------------------
// local.settings.json

TEST(AppConfig, LocalSettingsSectionsAreCaseInsensitive) {
  TempApp app;
  app.host();
  app.settings(R"({
    "values": { "Name": "v", "Port": 8080, "Flag": true, "Ratio": 1.5, "Nothing": null },
    "connectionStrings": { "Db": "Server=x", "Old": {"ConnectionString": "Server=y", "ProviderName": "p"} },
    "host": { "localHttpPort": "7072", "cors": " http://a.test , ,http://b.test ", "corsCredentials": "true" }
  })");
  FunctionApp loaded = load_function_app(app.root(), options_with());
  EXPECT_EQ(loaded.settings.values,
            (std::map<std::string, std::string>{
                {"Name", "v"}, {"Port", "8080"}, {"Flag", "true"}, {"Ratio", "1.5"}}));
  EXPECT_EQ(loaded.settings.connection_strings,
            (std::map<std::string, std::string>{{"Db", "Server=x"}, {"Old", "Server=y"}}));
  EXPECT_EQ(loaded.settings.local_http_port, 7072);
  EXPECT_EQ(loaded.settings.cors_origins,
            (std::vector<std::string>{"http://a.test", "http://b.test"}));
  EXPECT_TRUE(loaded.settings.cors_credentials);
}

TEST(AppConfig, LocalSettingsErrors) {
  TempApp app;
  app.host();
  const std::string file = app.path("local.settings.json");
  app.settings("{ \"Values\": ");
  EXPECT_EQ(load_error(app).rfind(file + ": invalid JSON: ", 0), 0u) << load_error(app);
  app.settings("[]");
  EXPECT_EQ(load_error(app), file + ": must be a JSON object");
  app.settings(R"({"Values": []})");
  EXPECT_EQ(load_error(app), file + ": 'Values' must be an object");
  app.settings(R"({"Values": {"A": {"b": 1}}})");
  EXPECT_EQ(load_error(app), file + ": 'Values.A' must be a string, got object");
  app.settings(R"({"ConnectionStrings": {"A": 1}})");
  EXPECT_EQ(load_error(app), file + ": 'ConnectionStrings.A' must be a string");
  app.settings(R"({"Host": {"LocalHttpPort": 0}})");
  EXPECT_EQ(load_error(app),
            file + ": 'Host.LocalHttpPort' must be a port number from 1 to 65535, got 0");
  app.settings(R"({"Host": {"LocalHttpPort": 70000}})");
  EXPECT_EQ(load_error(app),
            file + ": 'Host.LocalHttpPort' must be a port number from 1 to 65535, got 70000");
  app.settings(R"({"Host": {"LocalHttpPort": "http"}})");
  EXPECT_EQ(load_error(app),
            file + ": 'Host.LocalHttpPort' must be a port number from 1 to 65535, got \"http\"");
  app.settings(R"({"Host": {"CORS": ["a"]}})");
  EXPECT_EQ(load_error(app), file + ": 'Host.CORS' must be a string, got array");
  app.settings(R"({"Host": {"CORSCredentials": 1}})");
  EXPECT_EQ(load_error(app), file + ": 'Host.CORSCredentials' must be true or false, got 1");
  app.settings(R"({"IsEncrypted": true, "Values": {}})");
  EXPECT_EQ(load_error(app),
            file + ": 'IsEncrypted': true is not supported (decrypt the settings first)");
}

TEST(AppConfig, SettingAndConnectionStringLookupOrder) {
  TempApp app;
  app.host();
  app.settings(R"({"Values": {"A": "values-a", "B": "values-b", "Conn": "values-conn",
                              "Both": "values-both"},
                   "ConnectionStrings": {"Conn": "section-conn", "Both": "section-both"}})");
  FunctionApp loaded = load_function_app(
      app.root(), options_with({{"A", "env-a"}, {"ConnectionStrings:Both", "env-both"}}));
  EXPECT_EQ(loaded.setting("A"), "env-a");     // the environment wins
  EXPECT_EQ(loaded.setting("B"), "values-b");  // then Values
  EXPECT_EQ(loaded.setting("b"), "values-b");  // Values names are case-insensitive
  EXPECT_EQ(loaded.setting("C"), std::nullopt);
  EXPECT_EQ(loaded.connection_string("Both"), "env-both");      // ConnectionStrings: in the env
  EXPECT_EQ(loaded.connection_string("Conn"), "section-conn");  // then the section
  EXPECT_EQ(loaded.connection_string("A"), "env-a");            // then the app setting
  EXPECT_EQ(loaded.connection_string("Missing"), std::nullopt);
  // The double-underscore form of environment variables.
  FunctionApp underscore =
      load_function_app(app.root(), options_with({{"ConnectionStrings__Conn", "env-conn"}}));
  EXPECT_EQ(underscore.connection_string("Conn"), "env-conn");
}

TEST(AppConfig, DefaultEnvironmentIsTheProcessEnvironment) {
  TempApp app;
  app.host();
  ::setenv("SWITCHBOARD_APP_CONFIG_TEST_VAR", "from-process", 1);
  FunctionApp loaded = load_function_app(app.root());
  EXPECT_EQ(loaded.setting("SWITCHBOARD_APP_CONFIG_TEST_VAR"), "from-process");
  ::unsetenv("SWITCHBOARD_APP_CONFIG_TEST_VAR");
  EXPECT_EQ(loaded.setting("SWITCHBOARD_APP_CONFIG_TEST_VAR"), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// Function discovery and function.json

TEST(AppConfig, DiscoversFunctionFolders) {
  TempApp app;
  basic_app(app);
  app.function("b", R"({"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"}]})");
  app.function("a", R"({"scriptFile": "index.js", "entryPoint": "run",
                        "bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"}]})");
  app.write("lib/helper.js", "");                 // no function.json: not a function
  app.function(".hidden", "not even json");       // dot folders are skipped
  app.function("node_modules", "not even json");  // so is node_modules
  app.write("function.json", "{}");               // a file at the root is not a function
  app.write("notes.txt", "");
  FunctionApp loaded = load_function_app(app.root(), options_with());
  ASSERT_EQ(loaded.functions.size(), 2u);
  EXPECT_EQ(loaded.functions[0].name, "a");
  EXPECT_EQ(loaded.functions[0].script_file, "index.js");
  EXPECT_EQ(loaded.functions[0].entry_point, "run");
  EXPECT_EQ(loaded.functions[1].name, "b");
  EXPECT_EQ(loaded.functions[1].entry_point, "");
}

TEST(AppConfig, DisabledFunctions) {
  TempApp app;
  basic_app(app);
  const char* body = R"("bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"}])";
  app.function("off", std::string(R"({"disabled": true, )") + body + "}");
  app.function("offByString", std::string(R"({"disabled": "TRUE", )") + body + "}");
  app.function("offBySetting", std::string(R"({"disabled": "DisableIt", )") + body + "}");
  app.function("offByAppSetting", std::string("{") + body + "}");
  app.function("on", std::string(R"({"disabled": "false", )") + body + "}");
  // A disabled function's missing connection setting does not stop the app.
  app.function("offNoConnection", R"({"disabled": true, "bindings": [
    {"type": "httpTrigger", "direction": "in", "name": "req"},
    {"type": "signalR", "direction": "out", "name": "out", "hubName": "h",
     "connectionStringSetting": "Undefined"}]})");
  FunctionApp loaded = load_function_app(
      app.root(),
      options_with({{"DisableIt", "true"}, {"AzureWebJobs.offByAppSetting.Disabled", "1"}}));
  ASSERT_EQ(loaded.functions.size(), 6u);
  EXPECT_TRUE(find_function(loaded, "off").disabled);
  EXPECT_TRUE(find_function(loaded, "offByString").disabled);
  EXPECT_TRUE(find_function(loaded, "offBySetting").disabled);
  EXPECT_TRUE(find_function(loaded, "offByAppSetting").disabled);
  EXPECT_TRUE(find_function(loaded, "offNoConnection").disabled);
  EXPECT_FALSE(find_function(loaded, "on").disabled);

  app.function("on", std::string(R"({"disabled": 1, )") + body + "}");
  EXPECT_EQ(load_error(app),
            app.path("on/function.json") + ": 'disabled' must be true or false, got 1");
}

TEST(AppConfig, FunctionJsonShapeErrors) {
  TempApp app;
  basic_app(app);
  const std::string file = app.path("fn/function.json");
  app.function("fn", "{ bindings");
  EXPECT_EQ(load_error(app).rfind(file + ": invalid JSON: ", 0), 0u) << load_error(app);
  app.function("fn", "[]");
  EXPECT_EQ(load_error(app), file + ": must be a JSON object");
  app.function("fn", "{}");
  EXPECT_EQ(load_error(app), file + ": missing 'bindings' array");
  app.function("fn", R"({"bindings": {}})");
  EXPECT_EQ(load_error(app), file + ": 'bindings' must be an array");
  app.function("fn", R"({"bindings": []})");
  EXPECT_EQ(load_error(app), file + ": no trigger binding (httpTrigger or signalRTrigger)");
  app.function("fn", R"({"bindings": [5]})");
  EXPECT_EQ(load_error(app), file + ": binding 0: must be a JSON object");
  app.function("fn", R"({"scriptFile": 1, "bindings": []})");
  EXPECT_EQ(load_error(app), file + ": 'scriptFile' must be a string, got number");
}

TEST(AppConfig, BindingFieldErrors) {
  TempApp app;
  basic_app(app);
  const std::string file = app.path("negotiate/function.json");
  auto with_third = [&](std::string_view binding) {
    app.function("negotiate", std::string(R"({"bindings": [
      {"type": "httpTrigger", "direction": "in", "name": "req"},
      {"type": "http", "direction": "out", "name": "res"}, )") +
                                  std::string(binding) + "]}");
    return load_error(app);
  };
  EXPECT_EQ(
      with_third(R"({"type": "signalRConnectionInfo", "direction": "in", "hubName": "chat"})"),
      file + ": binding 2 (type 'signalRConnectionInfo'): missing 'name'");
  EXPECT_EQ(with_third(R"({"direction": "in", "name": "x"})"),
            file + ": binding 2: missing 'type'");
  EXPECT_EQ(with_third(R"({"type": "signalRConnectionInfo", "name": "x", "hubName": "chat"})"),
            file + ": binding 2 (type 'signalRConnectionInfo'): missing 'direction'");
  EXPECT_EQ(with_third(R"({"type": "signalRConnectionInfo", "name": "x", "direction": "sideways",
                           "hubName": "chat"})"),
            file +
                ": binding 2 (type 'signalRConnectionInfo'): invalid direction 'sideways' "
                "(expected in, out or inout)");
  EXPECT_EQ(with_third(R"({"type": "queue", "direction": "out", "name": "q"})"),
            file + ": binding 2 (type 'queue'): unknown binding type 'queue'");
  EXPECT_EQ(
      with_third(R"({"type": "signalREndpoints", "direction": "in", "name": "e"})"),
      file + ": binding 2 (type 'signalREndpoints'): unknown binding type 'signalREndpoints'");
  EXPECT_EQ(with_third(R"({"type": "signalRConnectionInfo", "direction": "out", "name": "x",
                           "hubName": "chat"})"),
            file + ": binding 2 (type 'signalRConnectionInfo'): direction must be 'in', got 'out'");
  EXPECT_EQ(with_third(R"({"type": "signalR", "direction": "in", "name": "x", "hubName": "chat"})"),
            file + ": binding 2 (type 'signalR'): direction must be 'out', got 'in'");
  EXPECT_EQ(with_third(R"({"type": "signalR", "direction": "inout", "name": "x",
                           "hubName": "chat"})"),
            file + ": binding 2 (type 'signalR'): direction must be 'out', got 'inout'");
  EXPECT_EQ(with_third(R"({"type": "signalRConnectionInfo", "direction": "in", "name": "x"})"),
            file + ": binding 2 (type 'signalRConnectionInfo'): missing 'hubName'");
  EXPECT_EQ(with_third(R"({"type": "signalR", "direction": "out", "name": "x", "hubName": ""})"),
            file + ": binding 2 (type 'signalR'): missing 'hubName'");
  EXPECT_EQ(with_third(R"({"type": "signalR", "direction": "out", "name": "RES", "hubName": "c"})"),
            file + ": binding 2 (type 'signalR'): duplicate binding name 'RES' (also binding 1)");
  EXPECT_EQ(with_third(R"({"type": "http", "direction": "out", "name": "$return"})"),
            file + ": binding 2 (type 'http'): a function can have only one http output");
  EXPECT_EQ(with_third(R"({"type": "httpTrigger", "direction": "in", "name": "req2"})"),
            file +
                ": binding 2 (type 'httpTrigger'): a function can have only one trigger "
                "(binding 0 is one)");
  EXPECT_EQ(with_third(R"({"type": "signalRConnectionInfo", "direction": "in", "name": "$return",
                           "hubName": "chat"})"),
            file +
                ": binding 2 (type 'signalRConnectionInfo'): the name '$return' is only valid "
                "for an out binding");
  EXPECT_EQ(with_third(R"({"type": "signalRConnectionInfo", "direction": "in", "name": "x",
                           "hubName": "chat", "userId": 5})"),
            file +
                ": binding 2 (type 'signalRConnectionInfo'): 'userId' must be a string, got "
                "number");
  EXPECT_EQ(with_third(R"({"type": "signalRConnectionInfo", "direction": "in", "name": "x",
                           "hubName": "chat", "claimTypeList": "name"})"),
            file +
                ": binding 2 (type 'signalRConnectionInfo'): 'claimTypeList' must be an array "
                "of strings");
  EXPECT_EQ(with_third(R"({"type": "signalRTrigger", "direction": "in", "name": "invocation",
                           "hubName": "chat", "category": "messages", "event": "SendMessage"})"),
            file +
                ": binding 2 (type 'signalRTrigger'): a function can have only one trigger "
                "(binding 0 is one)");
}

TEST(AppConfig, BindingKeysAndTypesAreCaseInsensitive) {
  TempApp app;
  basic_app(app);
  app.settings(R"({"Values": {"Custom": "Endpoint=http://x;AccessKey=k;Version=1.0;"}})");
  app.function("negotiate", R"({"bindings": [
    {"TYPE": "HTTPTRIGGER", "Direction": "IN", "Name": "request", "AuthLevel": "ADMIN",
     "Methods": ["get", "Post", "GET"], "Route": "Chat/Negotiate"},
    {"Type": "HTTP", "DIRECTION": "Out", "NAME": "$return"},
    {"type": "SignalRNegotiation", "direction": "in", "name": "negotiation", "HubName": "%HUB%",
     "UserID": "{query.user}", "IdToken": "{headers.x-token}", "ClaimTypeList": ["name", "role"],
     "ConnectionStringSetting": "Custom"}]})");
  FunctionApp loaded = load_function_app(app.root(), options_with());
  const FunctionSpec& fn = loaded.functions.at(0);
  EXPECT_EQ(fn.http.binding_name, "request");
  EXPECT_EQ(fn.http.auth_level, AuthLevel::Admin);
  EXPECT_EQ(fn.http.methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(fn.http.route, "Chat/Negotiate");
  EXPECT_EQ(fn.http_output, "$return");
  ASSERT_EQ(fn.connection_infos.size(), 1u);
  const ConnectionInfoSpec& info = fn.connection_infos[0];
  EXPECT_TRUE(info.negotiation);
  EXPECT_EQ(info.hub_name, "%HUB%");
  EXPECT_EQ(info.user_id, "{query.user}");
  EXPECT_EQ(info.id_token, "{headers.x-token}");
  EXPECT_EQ(info.claim_type_list, (std::vector<std::string>{"name", "role"}));
  EXPECT_EQ(info.connection_string_setting, "Custom");
  EXPECT_EQ(fn.bindings.at(2).type, "SignalRNegotiation");
  EXPECT_EQ(fn.bindings.at(2).type_lower, "signalrnegotiation");
}

TEST(AppConfig, HttpTriggerErrors) {
  TempApp app;
  basic_app(app);
  const std::string file = app.path("fn/function.json");
  auto with_trigger = [&](std::string_view extra) {
    app.function("fn", std::string(R"({"bindings": [{"type": "httpTrigger", "direction": "in",
                                                      "name": "req", )") +
                           std::string(extra) + "}]}");
    return load_error(app);
  };
  EXPECT_EQ(with_trigger(R"("authLevel": "system")"),
            file +
                ": binding 0 (type 'httpTrigger'): invalid authLevel 'system' (expected "
                "anonymous, function or admin)");
  EXPECT_EQ(with_trigger(R"("authLevel": 0)"),
            file +
                ": binding 0 (type 'httpTrigger'): invalid authLevel '0' (expected anonymous, "
                "function or admin)");
  EXPECT_EQ(with_trigger(R"("methods": ["post", "fetch"])"),
            file +
                ": binding 0 (type 'httpTrigger'): invalid method 'fetch' (expected GET, POST, "
                "PUT, DELETE, PATCH, HEAD, OPTIONS, TRACE or CONNECT)");
  EXPECT_EQ(with_trigger(R"("methods": [1])"),
            file +
                ": binding 0 (type 'httpTrigger'): invalid method '1' (expected GET, POST, PUT, "
                "DELETE, PATCH, HEAD, OPTIONS, TRACE or CONNECT)");
  EXPECT_EQ(with_trigger(R"("methods": "post")"),
            file + ": binding 0 (type 'httpTrigger'): 'methods' must be an array of strings");
  EXPECT_EQ(with_trigger(R"("route": "items/{id:int")"),
            file +
                ": binding 0 (type 'httpTrigger'): invalid route: route template "
                "'items/{id:int': unbalanced braces in segment '{id:int'");
  EXPECT_EQ(with_trigger(R"("route": "items/{id:number}")"),
            file +
                ": binding 0 (type 'httpTrigger'): invalid route: route template "
                "'items/{id:number}': parameter 'id': unknown constraint 'number'");
  EXPECT_EQ(with_trigger(R"("route": 5)"),
            file + ": binding 0 (type 'httpTrigger'): 'route' must be a string, got number");
  // Valid: methods null means every method; the route is stored without surrounding slashes.
  EXPECT_EQ(with_trigger(R"("methods": null, "route": "/items/{id:int?}/")"), "");
  EXPECT_EQ(load_function_app(app.root(), options_with()).functions.at(0).http.route,
            "items/{id:int?}");
}

TEST(AppConfig, RouteConflicts) {
  TempApp app;
  basic_app(app);
  auto trigger = [](std::string_view route, std::string_view methods) {
    return std::string(R"({"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req",
                                          "route": ")") +
           std::string(route) + "\"" + (methods.empty() ? "" : ", \"methods\": ") +
           std::string(methods) + "}]}";
  };
  // Same route, different methods: fine.
  app.function("getItem", trigger("items/{id}", R"(["get"])"));
  app.function("postItem", trigger("Items/{id}", R"(["post"])"));
  EXPECT_EQ(load_error(app), "");
  // Overlapping methods: both named.
  app.function("anyItem", trigger("ITEMS/{id}/", R"(["put", "POST"])"));
  EXPECT_EQ(load_error(app), app.root().string() +
                                 ": functions 'anyItem' and 'postItem' both handle route "
                                 "'ITEMS/{id}' with overlapping methods");
  // No methods means every method.
  app.function("anyItem", trigger("items/{id}", ""));
  EXPECT_EQ(load_error(app), app.root().string() +
                                 ": functions 'anyItem' and 'getItem' both handle route "
                                 "'items/{id}' with overlapping methods");
  // A disabled function does not conflict.
  app.function("anyItem", R"({"disabled": true, "bindings": [{"type": "httpTrigger",
    "direction": "in", "name": "req", "route": "items/{id}"}]})");
  EXPECT_EQ(load_error(app), "");
  // A default route (the folder name) conflicts with an explicit one.
  app.function("negotiate",
               R"({"bindings": [{"type": "httpTrigger", "direction": "in", "name": "req"}]})");
  app.function("other", trigger("NEGOTIATE", R"(["post"])"));
  EXPECT_EQ(load_error(app), app.root().string() +
                                 ": functions 'negotiate' and 'other' both handle route "
                                 "'negotiate' with overlapping methods");
}

// --- signalRTrigger -----------------------------------------------------------------------------

// A trigger function's function.json with `extra` properties in the trigger binding.
std::string trigger_json(std::string_view extra, std::string_view more_bindings = "") {
  return std::string(R"({"bindings": [{"type": "signalRTrigger", "direction": "in",
                                        "name": "invocation")") +
         std::string(extra) + "}" + std::string(more_bindings) + "]}";
}

TEST(AppConfig, SignalRTriggerIsParsed) {
  TempApp app;
  app.host();
  app.settings(std::string(R"({"Values": {"AzureSignalRConnectionString": ")") +
               kEmulatorConnection + R"(", "HUB": "Chat", "Other": ")" + kEmulatorConnection +
               "\"}}");
  app.function("broadcast", trigger_json(R"(, "hubName": "%HUB%", "category": "Messages",
      "event": "Broadcast", "parameterNames": ["text", " room "],
      "connectionStringSetting": "Other")",
                                         R"(, {"type": "signalR", "direction": "out",
      "name": "signalRMessages", "hubName": "chat"})"));
  app.function("hello", trigger_json(R"(, "hubName": "chat", "category": "connections",
      "event": "CONNECTED")"));
  auto loaded = load_function_app(app.root(), options_with());
  const auto& broadcast = find_function(loaded, "broadcast");
  ASSERT_TRUE(broadcast.signalr_trigger);
  EXPECT_FALSE(broadcast.is_http());
  EXPECT_EQ(broadcast.trigger_binding_name(), "invocation");
  const auto& spec = *broadcast.signalr_trigger;
  EXPECT_EQ(spec.name, "invocation");
  EXPECT_EQ(spec.hub_name, "Chat");  // %HUB% resolved
  EXPECT_EQ(spec.category, "messages");
  EXPECT_EQ(spec.event, "Broadcast");  // a message target keeps its case
  EXPECT_EQ(spec.parameter_names, (std::vector<std::string>{"text", "room"}));
  EXPECT_EQ(spec.connection_string_setting, "Other");
  EXPECT_EQ(broadcast.signalr_outputs.size(), 1u);
  const auto& hello = *find_function(loaded, "hello").signalr_trigger;
  EXPECT_EQ(hello.category, "connections");
  EXPECT_EQ(hello.event, "connected");  // connection events are lower-cased
  EXPECT_EQ(hello.connection_string_setting, "AzureSignalRConnectionString");
  EXPECT_TRUE(hello.parameter_names.empty());
}

TEST(AppConfig, SignalRTriggerErrorsNameFileBindingAndField) {
  TempApp app;
  basic_app(app);
  const std::string file = app.path("t/function.json");
  const std::string where = file + ": binding 0 (type 'signalRTrigger'): ";
  auto error_for = [&](std::string_view extra, std::string_view more = "") {
    app.function("t", trigger_json(extra, more));
    return load_error(app);
  };
  EXPECT_EQ(error_for(R"(, "category": "messages", "event": "x")"), where + "missing 'hubName'");
  EXPECT_EQ(error_for(R"(, "hubName": "chat", "event": "x")"),
            where + "missing 'category' (expected connections or messages)");
  EXPECT_EQ(error_for(R"(, "hubName": "chat", "category": "message", "event": "x")"),
            where + "invalid category 'message' (expected connections or messages)");
  EXPECT_EQ(error_for(R"(, "hubName": "chat", "category": "messages")"), where + "missing 'event'");
  EXPECT_EQ(error_for(R"(, "hubName": "chat", "category": "connections", "event": "opened")"),
            where +
                "invalid event 'opened' for category 'connections' (expected connect, connected "
                "or disconnected)");
  EXPECT_EQ(error_for(R"(, "hubName": "chat", "category": "messages", "event": 3)"),
            where + "'event' must be a string, got number");
  EXPECT_EQ(error_for(R"(, "hubName": "%NOPE%", "category": "messages", "event": "x")"),
            where + "'hubName' names the app setting '%NOPE%', which is not defined");
  EXPECT_EQ(error_for(R"(, "hubName": "{query.hub}", "category": "messages", "event": "x")"),
            where +
                "'hubName' cannot hold a binding expression ('{query.hub}'): a trigger only "
                "resolves %AppSetting% references");
  EXPECT_EQ(error_for(R"(, "hubName": "chat", "category": "messages", "event": "x",
                        "parameterNames": "text")"),
            where + "'parameterNames' must be an array of strings");
  EXPECT_EQ(error_for(R"(, "hubName": "chat", "category": "messages", "event": "x",
                        "parameterNames": ["a", 1])"),
            where + "'parameterNames' must be an array of non-empty strings, found 1");
  EXPECT_EQ(error_for(R"(, "hubName": "chat", "category": "messages", "event": "x",
                        "parameterNames": ["Text", "text"])"),
            where + "'parameterNames' has 'text' twice (names are compared ignoring case)");
  EXPECT_EQ(error_for(R"(, "hubName": "chat", "category": "messages", "event": "x",
                        "connectionStringSetting": "Missing")"),
            where +
                "the connection setting 'Missing' is not defined (local.settings.json Values, "
                "ConnectionStrings, or environment)");
  EXPECT_EQ(error_for(R"(, "direction": "out", "hubName": "chat", "category": "messages",
                        "event": "x")"),
            where + "direction must be 'in', got 'out'");
  EXPECT_EQ(error_for(R"(, "hubName": "chat", "category": "messages", "event": "x")",
                      R"(, {"type": "httpTrigger", "direction": "in", "name": "req"})"),
            file +
                ": binding 1 (type 'httpTrigger'): a function can have only one trigger (binding "
                "0 is one)");
  EXPECT_EQ(error_for(R"(, "hubName": "chat", "category": "messages", "event": "x")",
                      R"(, {"type": "http", "direction": "out", "name": "res"})"),
            file +
                ": the http output binding 'res' needs an httpTrigger (a signalRTrigger "
                "function's return value is the invocation's result)");
  // The embedded service provides a missing connection setting.
  app.function("t", trigger_json(R"(, "hubName": "chat", "category": "messages", "event": "x",
                                   "connectionStringSetting": "Missing")"));
  EXPECT_NO_THROW(load_function_app(app.root(), options_with({}, /*provided=*/true)));
}

TEST(AppConfig, TwoFunctionsForOneSignalREventAreAnErrorNamingBoth) {
  TempApp app;
  basic_app(app);
  app.function("first", trigger_json(R"(, "hubName": "Chat", "category": "messages",
                                        "event": "Broadcast")"));
  app.function("second", trigger_json(R"(, "hubName": "chat", "category": "MESSAGES",
                                         "event": "broadcast")"));
  EXPECT_EQ(load_error(app), app.root().string() +
                                 ": functions 'first' and 'second' both handle the SignalR event "
                                 "(hub 'Chat', category 'messages', event 'Broadcast')");
  // Another event, or the same one disabled, is fine.
  app.function("second", trigger_json(R"(, "hubName": "chat", "category": "messages",
                                         "event": "other")"));
  EXPECT_EQ(load_error(app), "");
  app.function("second", R"({"disabled": true, "bindings": [{"type": "signalRTrigger",
      "direction": "in", "name": "i", "hubName": "chat", "category": "messages",
      "event": "broadcast"}]})");
  EXPECT_EQ(load_error(app), "");
  // The same event on another hub, or in the other category, is another event.
  app.function("second", trigger_json(R"(, "hubName": "room", "category": "messages",
                                         "event": "broadcast")"));
  EXPECT_EQ(load_error(app), "");
}

}  // namespace
}  // namespace switchboard::functions
