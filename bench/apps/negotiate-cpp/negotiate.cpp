// The negotiate benchmark's C++ function app (bench/run.py, scenario "negotiate"; issue 16): POST
// /api/negotiate returns the connection info of hub "bench" from the signalRConnectionInfo input
// binding, as the JavaScript app's negotiate (bench/apps/broadcast/negotiate) does, but run by the
// host itself instead of a language worker.
//
//   build/bench/negotiate-cpp start bench/apps/negotiate-cpp --port 17071 --threads 1
#include <switchboard/functions.hpp>

namespace {

switchboard::FunctionRegistry make_app() {
  switchboard::FunctionRegistry app;
  app.function("negotiate")
      .http_trigger({"post"}, "anonymous")
      .connection_info("connectionInfo", "bench")
      .http_output("$return")
      .handler(
          [](switchboard::FunctionContext& ctx) { ctx.set_return(ctx.input("connectionInfo")); });
  return app;
}

}  // namespace

int main(int argc, char** argv) {
  static const auto app = make_app();
  return switchboard::run_functions(argc, argv, app);
}
