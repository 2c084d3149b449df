// Feeds the SignalR webhook of the functions host (POST /runtime/webhooks/signalr) what a service
// sends it: the body by its Content-Type (functions/trigger/webhook_body: a client's Invocation in
// JSON or MessagePack, a disconnected event's error) and the X-ASRS-Client-Query and
// X-ASRS-User-Claims headers (functions/trigger/invocation_context). The input is
// "content type\nclient query\nuser claims\nbody". Everything parses or is refused with a reason,
// and the InvocationContext built from it is JSON that can be written out.
#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "functions/trigger/invocation_context.hpp"
#include "functions/trigger/webhook_body.hpp"
#include "fuzz_support.hpp"

namespace trigger = switchboard::functions::trigger;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = fuzz::fields(fuzz::bytes(data, size), 4);
  trigger::HeaderFields headers = {{"X-ASRS-Client-Query", std::string(parts[1])},
                                   {"X-ASRS-User-Claims", std::string(parts[2])},
                                   {"Content-Type", std::string(parts[0])}};
  trigger::InvocationEvent event;
  event.hub = "chat";
  event.category = "messages";
  event.event = "send";
  event.connection_id = "c1";
  if (auto protocol = trigger::body_protocol(parts[0])) {
    auto parsed = trigger::parse_invocation_body(*protocol, parts[3]);
    if (parsed.error.empty()) {
      FUZZ_CHECK(parsed.arguments.is_array(), "arguments are an array");
      event.arguments = parsed.arguments;
      event.event = parsed.target;
      auto completion = trigger::completion_with_result(
          *protocol, parsed.invocation_id.value_or(""), parsed.arguments);
      FUZZ_CHECK(!completion.empty(), "a completion is written");
    }
  }
  if (auto error = trigger::disconnect_error(parts[3])) FUZZ_CHECK(!error->empty(), "an error");
  auto context = trigger::build_invocation_context(event, headers);
  FUZZ_CHECK(context.is_object(), "the InvocationContext is an object");
  (void)context.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  return 0;
}
