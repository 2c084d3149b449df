// Feeds raw bytes to net/whole_request, the HTTP session's fast path for a whole request already
// in its buffer, under limits taken from the input's first two bytes (so that the header and body
// limits are reached). Whatever the fast path accepts, Beast's parser (the session's other path)
// must accept too, taking the same number of bytes and reading the same request: method, target,
// version, fields in order and body; and the view of it finds every field by its code as Beast's
// request does.
#include <cstddef>
#include <cstdint>

#include "beast_request_reference.hpp"
#include "fuzz_support.hpp"
#include "net/whole_request.hpp"

namespace net = switchboard::net;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const net::WholeRequestLimits limits{64 + data[0] * 8u, data[1] * 4u};
  const auto input = fuzz::bytes(data + 2, size - 2);
  net::Request request;
  const std::size_t used = net::parse_whole_request(input, limits, request);
  if (used == 0) return 0;
  FUZZ_CHECK(used <= input.size(), "the request lies within the input");
  const auto beast = net::reference::read_with_beast(input, limits);
  FUZZ_CHECK(beast.whole, "Beast's parser accepts what the fast path accepts");
  FUZZ_CHECK(beast.used == used, "both take the same bytes");
  FUZZ_CHECK(beast.request == net::reference::describe(request), "both read the same request");
  // The view the session offers to HttpHandler::answer_now finds every field by its code as
  // Beast's request does (its own codes for eight names, the name's text for the others).
  net::RequestView view;
  FUZZ_CHECK(net::parse_whole_request(input, limits, view) == used,
             "the view takes the same bytes");
  for (const auto& field : request) {
    if (field.name() == net::http::field::unknown) continue;
    const auto found = view.field(field.name());
    FUZZ_CHECK(found && *found == request.find(field.name())->value(),
               "the view finds each field by its code as Beast does");
  }
  return 0;
}
