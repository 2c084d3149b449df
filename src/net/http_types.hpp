// The HTTP message types used by every server part, and small response builders.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::net {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// The Server field of every answer.
inline constexpr std::string_view kServerName = "switchboard";

// A response with a body and content type; version/keep-alive are set by the session.
Response make_response(http::status status, std::string body = {},
                       std::string_view content_type = "text/plain; charset=utf-8");
// {"code": code, "message": message} with application/json.
Response make_error(http::status status, std::string_view code, std::string_view message);

// The value of the request's first field named `name`, or nullopt when it has none. Scans the
// fields in order comparing their name codes (a REST call has a handful of fields): Beast's find()
// compares names as strings, case-insensitively, down its ordered set (≈ 500 instructions for the
// Authorization field of a REST send).
std::optional<std::string_view> field_value(const Request& request, http::field name);
// The same by the name's text, compared case-insensitively (for names Beast has no code for,
// such as x-request-id).
std::optional<std::string_view> field_value(const Request& request, std::string_view name);

// The request's `Authorization: Bearer <token>` value, or empty.
std::string_view bearer_token(const Request& request);
// The token of an Authorization field's value `Bearer <token>` (the scheme in any case), or empty.
std::string_view bearer_token_in(std::optional<std::string_view> authorization);

}  // namespace switchboard::net
