// Checks that a request's path, query and headers are text an invocation can carry: the
// custom-handler payload is JSON, whose strings are UTF-8. A problem is a message for a 400 that
// names the part (the query parameter, the header); the body is never checked (binary bodies
// travel base64, see functions/http_body.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "net/http_types.hpp"
#include "util/url.hpp"

namespace switchboard::functions {

// The request path (raw and percent-decoded): valid UTF-8, no control characters (NUL included).
std::optional<std::string> request_path_problem(std::string_view raw_path);
// Every query parameter's name and value (`target`, the request's parsed target), the raw target
// and every header value: valid UTF-8.
std::optional<std::string> request_fields_problem(const net::Request& request,
                                                  const util::Target& target);

}  // namespace switchboard::functions
