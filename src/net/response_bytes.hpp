// An HTTP answer as the bytes that go on the wire (status line, the fields in their order, the
// blank line, the body): what Beast's serializer writes, built into one buffer so that the
// session can send it with one send() instead of a serializer and a composed write.
#pragma once

#include <string>

#include "net/http_types.hpp"

namespace switchboard::net {

// Appends `response` (prepared: Content-Length and Connection already set) to `out`.
void append_response_bytes(const Response& response, std::string& out);

// An answer written without a Response (HttpHandler::answer_now), in the same bytes as
// make_response() and the session's finishing of it would give for an HTTP/1.1 request kept
// alive: the status line and make_response()'s Server field; then the caller's fields; then
// Content-Length: 0 and the blank line (no body).
void append_answer_head(http::status status, std::string& out);
void append_answer_field(std::string_view name, std::string_view value, std::string& out);
void append_empty_answer_end(std::string& out);

}  // namespace switchboard::net
