// The HTTP session's fast path: a whole request (head and Content-Length body) that is already in
// the session's buffer, written plainly, is parsed from views into the buffer in one pass, without
// Beast's incremental parser (which goes byte by byte through every header value and costs more
// than the rest of a REST send's parsing together). It takes only what it is sure of; everything
// else is declined and left to Beast's parser, which reads it as before and gives the precise
// errors (400, 413, 431, 501): a head or body not yet whole in the buffer, a head over the header
// limit, a body over the body limit, Transfer-Encoding, obsolete line folding, a bare LF, a field
// name or value with a byte Beast would question, an absolute-form target, a Connection or
// Content-Length value that is not a plain list or number, and HTTP versions other than 1.0 and
// 1.1. Whatever it accepts, Beast's parser accepts too and reads into the same request (the unit
// tests and the whole_request fuzz target check both against Beast).
#pragma once

#include <cstddef>
#include <string_view>

#include "net/http_types.hpp"
#include "net/request_view.hpp"

namespace switchboard::net {

struct WholeRequestLimits {
  std::size_t max_header_bytes;  // the whole head, request line to the blank line
  std::size_t max_body_bytes;
};

// The number of bytes at the front of `bytes` that make one whole request, with its method,
// target, version, fields (in order, names as written) and body set into `request` as views into
// `bytes`; 0 when it declines (then `request` may be partly filled: discard it). More fields than
// RequestView::kMaxFields are declined too.
std::size_t parse_whole_request(std::string_view bytes, const WholeRequestLimits& limits,
                                RequestView& request);
// The same into Beast's message type (a fresh one; left as it was when declined).
std::size_t parse_whole_request(std::string_view bytes, const WholeRequestLimits& limits,
                                Request& request);

}  // namespace switchboard::net
