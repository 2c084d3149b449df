// A request read in place: its method, target, version, fields and body as views into the bytes
// it was parsed from (the session's buffer: valid until the session consumes them), with no
// allocation. The session's fast path (whole_request.hpp) fills one; a handler that can answer it
// at once does (HttpHandler::answer_now), and only a request it declines becomes Beast's Request
// (to_request), with one allocation per field.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

#include "net/http_types.hpp"

namespace switchboard::net {

struct RequestView {
  // More fields than this are left to Beast's parser (a REST call has a handful; a browser's
  // request about twenty).
  static constexpr std::size_t kMaxFields = 48;
  struct Field {
    http::field name;            // classify_field_name()'s code: unknown for most names
    std::string_view name_text;  // as written
    std::string_view value;      // without the spaces around it
  };

  http::verb method = http::verb::unknown;
  std::string_view method_text;
  std::string_view target;
  unsigned version = 11;  // 10 or 11
  std::array<Field, kMaxFields> fields;
  std::size_t field_count = 0;
  std::string_view body;

  // The value of the first field named `name`, or nullopt: by its code for the names
  // classify_field_name() knows, by its text (Beast's spelling, any case) for the others.
  std::optional<std::string_view> field(http::field name) const;
  // The same by the name's text, compared case-insensitively (for names Beast has no code for).
  std::optional<std::string_view> field(std::string_view name) const;
};

// The code of a field name (a token: tchar bytes only; any case) among those the session and the
// REST API look at, or that change how a request is framed: Host, Origin, Connection,
// Proxy-Connection, Content-Type, Content-Length, Authorization, Transfer-Encoding.
// http::field::unknown for every other name (Beast's string_to_field() knows them all, at twice the
// cost: to_request() calls it for those).
http::field classify_field_name(std::string_view name);
// Whether classify_field_name() gives `name`'s code (one of the eight).
bool has_code_here(http::field name);

// The same request as Beast's message type: method, target, version, fields in order with their
// names as written and Beast's codes, body.
Request to_request(const RequestView& view);

}  // namespace switchboard::net
