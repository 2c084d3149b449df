// A bidirectional chat in C++: clients negotiate through an HTTP function, then talk back with
// connection.invoke("broadcast", text); a signalRTrigger function sends the text to everyone and
// its return value resolves the caller's invoke(). connected/disconnected functions tell everyone
// who is online. Every function is declared in code (the counterpart of function.json).
//
//   build/examples/trigger-cpp functions   # the host on :7071, webhook /runtime/webhooks/signalr
//   (with AzureSignalRConnectionString naming a service whose upstream is that webhook)
#include <stdexcept>
#include <switchboard/functions.hpp>

namespace {

using switchboard::FunctionContext;
using switchboard::InvocationContext;

switchboard::FunctionRegistry make_app() {
  switchboard::FunctionRegistry app;

  // POST /api/negotiate: the connection info of an anonymous client of hub "chat".
  app.function("negotiate")
      .http_trigger({"post"}, "anonymous")
      .connection_info("connectionInfo", "chat")
      .http_output("$return")
      .handler([](FunctionContext& ctx) { ctx.set_return(ctx.input("connectionInfo")); });

  // connection.invoke("broadcast", text): everyone gets newMessage(from, text); the caller's
  // invoke() resolves with {sent, from}, or is rejected with the exception's message.
  app.function("broadcast")
      .signalr_trigger("invocation", "chat", "messages", "broadcast", {"text"})
      .signalr_output("signalRMessages", "chat")
      .trigger_handler([](const InvocationContext& invocation,
                          FunctionContext& ctx) -> nlohmann::json {
        const nlohmann::json& text = ctx.binding_data("text");
        if (!text.is_string() || text.get<std::string>().empty())
          throw std::invalid_argument("the message is empty");
        ctx.set_output("signalRMessages",
                       {{"target", "newMessage"}, {"arguments", {invocation.connection_id, text}}});
        return {{"sent", text}, {"from", invocation.connection_id}};
      });

  // Presence: online(id, user) / offline(id, error) to everyone.
  app.function("connected")
      .signalr_trigger("invocation", "chat", "connections", "connected")
      .signalr_output("signalRMessages", "chat")
      .trigger_handler([](const InvocationContext& invocation,
                          FunctionContext& ctx) -> nlohmann::json {
        ctx.set_output(
            "signalRMessages",
            {{"target", "online"}, {"arguments", {invocation.connection_id, invocation.user_id}}});
        return nullptr;
      });
  app.function("disconnected")
      .signalr_trigger("invocation", "chat", "connections", "disconnected")
      .signalr_output("signalRMessages", "chat")
      .trigger_handler([](const InvocationContext& invocation,
                          FunctionContext& ctx) -> nlohmann::json {
        ctx.set_output(
            "signalRMessages",
            {{"target", "offline"}, {"arguments", {invocation.connection_id, invocation.error}}});
        return nullptr;
      });
  return app;
}

}  // namespace

int main(int argc, char** argv) {
  static const auto app = make_app();
  return switchboard::run_functions(argc, argv, app);
}
