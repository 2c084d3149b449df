// The request framing rules of RFC 9112 §6 that Beast's parser leaves to the server. Beast rejects
// Transfer-Encoding after Content-Length and a repeated chunked, but takes a request whose
// Transfer-Encoding does not end in chunked as having no body (its body would then be read as the
// next request) and accepts Content-Length after a Transfer-Encoding without chunked. Checked once
// the headers are read, before the body.
#pragma once

#include <optional>
#include <string>

#include "net/http_types.hpp"

namespace switchboard::net {

struct FramingError {
  http::status status;  // 400, or 501 for a transfer coding other than chunked
  std::string message;
};

// Why the request's body length cannot be trusted, or nothing when its framing is sound: a
// Transfer-Encoding on HTTP/1.0, together with Content-Length, whose final coding is not chunked,
// or that names a coding this server does not implement.
std::optional<FramingError> check_request_framing(const Request& header);

}  // namespace switchboard::net
