// The id of one HTTP request (to the functions host, or to the service's REST API): the caller's
// `x-request-id` when it is a sane token (1 to 128 characters of letters, digits and `-_.:/+=`),
// else a new UUID. It goes in the answer's `x-request-id` header and in the request's log lines
// (the `request_id` log field); the host also puts it in the request the function sees. A
// `traceparent` is not taken as the id: it passes to a function like any other header.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::net {

inline constexpr std::string_view kRequestIdHeader = "x-request-id";

// The incoming value when it may be used as the id, else nullopt.
std::optional<std::string> accepted_request_id(std::string_view incoming);
// The id of a request with `incoming` (empty: the header is absent).
std::string request_id_for(std::string_view incoming);
// The same without a copy: `incoming` itself, or a new id in this thread's buffer, valid until
// the thread's next new id (for a caller that uses it at once).
std::string_view request_id_view(std::string_view incoming);

}  // namespace switchboard::net
