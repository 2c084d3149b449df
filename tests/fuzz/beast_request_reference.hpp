// Beast's request parser as the reference for net/whole_request (the session's fast path): what
// it makes of the same bytes under the same limits, and a request written out as one string
// (method, target, version, every field in order, body) so that two readings compare at once.
// Shared by the unit tests (tests/unit/whole_request_test.cpp) and the whole_request fuzz target.
#pragma once

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>

#include "net/whole_request.hpp"

namespace switchboard::net::reference {

struct BeastReading {
  bool whole = false;    // a whole request, accepted
  std::size_t used = 0;  // the bytes it took
  std::string request;   // describe() of it
};

inline std::string describe(const Request& request) {
  std::string out;
  out.append(request.method_string()).append(" ").append(request.target());
  out.append(" ").append(std::to_string(request.version())).append("\n");
  for (const auto& field : request)
    out.append(field.name_string()).append(": ").append(field.value()).append("\n");
  out.append("\n").append(request.body());
  return out;
}

inline BeastReading read_with_beast(std::string_view bytes, const WholeRequestLimits& limits) {
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(limits.max_body_bytes);
  parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
  BeastReading reading;
  boost::system::error_code ec;
  while (!parser.is_done()) {
    const std::size_t n = parser.put(
        boost::asio::const_buffer(bytes.data() + reading.used, bytes.size() - reading.used), ec);
    reading.used += n;
    if (ec || n == 0) return reading;
  }
  reading.whole = true;
  reading.request = describe(parser.get());
  return reading;
}

}  // namespace switchboard::net::reference
