// Feeds functions/route_template an HTTP trigger's route template (function.json "route":
// literals, `{name}`, `{name?}`, `{name=default}`, `{*rest}`, constraints such as `{id:int}` or
// `{n:range(1,9)}`) and a request path to match it against. The input is "template\npath". A
// template parses or is refused with std::invalid_argument; a match gives every parameter the
// template names, except absent optional ones.
#include <cstddef>
#include <cstdint>
#include <stdexcept>

#include "functions/route_template.hpp"
#include "fuzz_support.hpp"

namespace functions = switchboard::functions;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto parts = fuzz::fields(fuzz::bytes(data, size), 2);
  try {
    auto route = functions::RouteTemplate::parse(parts[0]);
    FUZZ_CHECK(route.literal_count() >= 0, "a count");
    if (auto params = route.match(parts[1]))
      for (const auto& [name, value] : *params) FUZZ_CHECK(!name.empty(), "parameters are named");
  } catch (const std::invalid_argument& e) {
    FUZZ_CHECK(*e.what() != '\0', "an error says what is wrong");
  }
  return 0;
}
