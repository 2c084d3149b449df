// The seeds' SignalR binding examples written in C++ against the Switchboard function API: each
// function declares its bindings in code, as the C# examples do with attributes.
//
//   build/examples/seeds-cpp start            # service + functions host,
//   http://localhost:7071/api/...
#include <switchboard/functions.hpp>

namespace {

switchboard::FunctionRegistry make_app() {
  switchboard::FunctionRegistry app;

  // [FunctionName("negotiate")] with [SignalRConnectionInfo(HubName = "chat")]: returns the
  // connection info. Anonymous clients connect with no user id.
  app.function("negotiateAnonymous")
      .http_trigger({"post"}, "anonymous", "anonymous/negotiate")
      .connection_info("connectionInfo", "chat")
      .http_output("$return")
      .handler(
          [](switchboard::FunctionContext& ctx) { ctx.set_return(ctx.input("connectionInfo")); });

  // The authenticated negotiate: UserId = "{headers.x-ms-client-principal-id}".
  app.function("negotiate")
      .http_trigger({"post"}, "anonymous")
      .connection_info("connectionInfo", "chat", "{headers.x-ms-client-principal-id}")
      .http_output("$return")
      .handler(
          [](switchboard::FunctionContext& ctx) { ctx.set_return(ctx.input("connectionInfo")); });

  // Broadcast to all clients: Target = "newMessage", Arguments = { message }.
  app.function("SendMessage")
      .http_trigger({"post"}, "anonymous")
      .signalr_output("signalRMessages", "chat")
      .handler([](switchboard::FunctionContext& ctx) {
        ctx.set_output("signalRMessages",
                       {{"target", "newMessage"}, {"arguments", {ctx.body_json()}}});
      });

  // Send to a user: UserId = "userId1".
  app.function("SendToUser")
      .http_trigger({"post"}, "anonymous")
      .signalr_output("signalRMessages", "chat")
      .handler([](switchboard::FunctionContext& ctx) {
        ctx.set_output(
            "signalRMessages",
            {{"userId", "userId1"}, {"target", "newMessage"}, {"arguments", {ctx.body_json()}}});
      });

  // Send to a group: GroupName = "myGroup".
  app.function("SendToGroup")
      .http_trigger({"post"}, "anonymous")
      .signalr_output("signalRMessages", "chat")
      .handler([](switchboard::FunctionContext& ctx) {
        ctx.set_output(
            "signalRMessages",
            {{"groupName", "myGroup"}, {"target", "newMessage"}, {"arguments", {ctx.body_json()}}});
      });

  // Add the calling user (the ClaimsPrincipal's NameIdentifier) to "myGroup".
  app.function("addToGroup")
      .http_trigger({"post"}, "anonymous")
      .signalr_output("signalRGroupActions", "chat")
      .http_output("res")
      .handler([](switchboard::FunctionContext& ctx) {
        std::string user = ctx.header("x-ms-client-principal-id");
        if (user.empty()) {
          ctx.set_output("res", {{"status", 401}, {"body", "Sign in first."}});
          return;
        }
        ctx.set_output("signalRGroupActions",
                       {{"userId", user}, {"groupName", "myGroup"}, {"action", "add"}});
        ctx.set_output("res", {{"status", 200}});
      });

  // Remove the calling user from "myGroup".
  app.function("removeFromGroup")
      .http_trigger({"post"}, "anonymous")
      .signalr_output("signalRGroupActions", "chat")
      .http_output("res")
      .handler([](switchboard::FunctionContext& ctx) {
        std::string user = ctx.header("x-ms-client-principal-id");
        if (user.empty()) {
          ctx.set_output("res", {{"status", 401}, {"body", "Sign in first."}});
          return;
        }
        ctx.set_output("signalRGroupActions",
                       {{"userId", user}, {"groupName", "myGroup"}, {"action", "remove"}});
        ctx.set_output("res", {{"status", 200}});
      });
  return app;
}

}  // namespace

int main(int argc, char** argv) {
  static const auto app = make_app();
  return switchboard::run_functions(argc, argv, app);
}
