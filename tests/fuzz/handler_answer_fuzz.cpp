// Feeds what a custom handler or language worker answers an invocation with to what reads it:
// functions/handler_answer (the {Outputs, Logs, ReturnValue} object, or a failure's body), then
// every output value and the return value to the output parsers of functions/output_values (a
// signalR output's messages and group actions, an http output's response object) and
// functions/http_body. The input is "status\nbody". Every value is taken or refused with a reason
// (std::invalid_argument for a response object); no other exception escapes.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "functions/handler_answer.hpp"
#include "functions/http_body.hpp"
#include "functions/output_values.hpp"
#include "fuzz_support.hpp"

namespace functions = switchboard::functions;

namespace {

void read_output(const nlohmann::json& value) {
  auto signalr = functions::parse_signalr_output(value);
  if (!signalr.error.empty()) FUZZ_CHECK(signalr.items.empty(), "nothing is sent from a bad value");
  try {
    auto response = functions::http_response_from_value(value);
    FUZZ_CHECK(response.status >= 100 && response.status <= 599, "a status from 100 to 599");
  } catch (const std::invalid_argument& e) {
    FUZZ_CHECK(*e.what() != '\0', "an error says what is wrong");
  }
  if (value.is_object()) (void)functions::body_bytes(value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = fuzz::fields(fuzz::bytes(data, size), 2);
  int status = 200;
  std::from_chars(parts[0].data(), parts[0].data() + parts[0].size(), status);
  if (status < 200 || status >= 300) {
    auto failure = functions::read_handler_failure(status, parts[1]);
    FUZZ_CHECK(!failure.message.empty(), "a failure says what failed");
    return 0;
  }
  auto answer = functions::read_handler_answer(parts[1]);
  if (!answer) return 0;
  FUZZ_CHECK(answer->outputs.is_object(), "outputs by binding name");
  for (const auto& [name, value] : answer->outputs.items()) read_output(value);
  read_output(answer->return_value);
  return 0;
}
