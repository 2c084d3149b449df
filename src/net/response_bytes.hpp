// An HTTP answer as the bytes that go on the wire (status line, the fields in their order, the
// blank line, the body): what Beast's serializer writes, built into one buffer so that the
// session can send it with one send() instead of a serializer and a composed write.
#pragma once

#include <string>

#include "net/http_types.hpp"

namespace switchboard::net {

// Appends `response` (prepared: Content-Length and Connection already set) to `out`.
void append_response_bytes(const Response& response, std::string& out);

}  // namespace switchboard::net
