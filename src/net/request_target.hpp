// Absolute-form request targets (RFC 9112 §3.2.2): `POST http://host:port/api/x?y HTTP/1.1`, which
// every HTTP/1.1 server must accept, is rewritten to origin-form (`/api/x?y`) before any handler
// sees it. The target's authority replaces the Host header, as RFC 9112 §3.2.2 requires of an
// origin server (Host is ignored when the target names the host).
#pragma once

#include <optional>
#include <string>

#include "net/http_types.hpp"

namespace switchboard::net {

// Rewrites an absolute-form http(s) target to origin-form and sets Host from its authority; leaves
// origin-form ("/...") and other targets alone. Returns why the request is bad when the target is
// an absolute URI that cannot be served: another scheme, userinfo, or what util::parse_url
// refuses (an empty host, a bad port...). Host becomes the authority as parse_url writes it
// (lower-cased host, port when given); a fragment is dropped.
std::optional<std::string> normalize_request_target(Request& request);

}  // namespace switchboard::net
