// The one parser of absolute URLs (`scheme://[userinfo@]host[:port][/path][?query][#fragment]`):
// strict where a URL names a peer (scheme, userinfo, host, port), tolerant of the characters
// browsers leave unescaped in the path and query. Every refusal has a message saying what is
// wrong. docs/urls.md says what is accepted and why. Percent-encoding and request targets have
// their own headers, included here for the callers of all three.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/percent_encoding.hpp"
#include "util/target.hpp"
#include "util/text.hpp"

namespace switchboard::util {

struct Url {
  std::string scheme;                   // lower-cased
  std::optional<std::string> userinfo;  // as written (still percent-encoded); nullopt: no '@'
  std::string host;                     // lower-cased; an IPv6 literal canonical, no brackets
  bool ipv6 = false;                    // host is an IPv6 literal (written in brackets)
  std::optional<std::uint16_t> port;    // when written
  std::string path;                     // as written: empty or starting with '/'
  std::optional<std::string> query;     // as written, without '?'
  std::optional<std::string> fragment;  // as written, without '#'

  // The host as a URL writes it: IPv6 literals in brackets.
  std::string host_text() const;
  // host_text() and, when written, ":port".
  std::string authority() const;
  // The port written, else the scheme's default (http/ws 80, https/wss 443), else nullopt.
  std::optional<std::uint16_t> effective_port() const;
  // The origin-form request target: the path ("/" when empty) and "?query" when present.
  std::string request_target() const;
};

// Parses `text`. On failure returns nullopt and, when `error` is given, sets it to a phrase
// naming the problem (e.g. "the port '99999' is out of range (1 to 65535)").
std::optional<Url> parse_url(std::string_view text, std::string* error = nullptr);

// Parses a bare authority such as a Host header's value (`host[:port]`, IPv6 in brackets): read as
// parse_url reads the authority of "http://<text>", and refused when it carries more than that
// (user information, a path, a query or a fragment), so that it cannot re-shape a URL built from
// it. The result has only host, ipv6 and port set (scheme "http").
std::optional<Url> parse_authority(std::string_view text, std::string* error = nullptr);

// localhost, 127.0.0.1 or ::1 (host as Url::host has it; "[::1]" is accepted too).
bool is_loopback_host(std::string_view host);

}  // namespace switchboard::util
