// Bearer-token checks for service requests: the token must be signed with one of the access keys
// and its audience must name this service (by the request's host or the configured public host).
// Each thread remembers the tokens it has verified (REST callers reuse a token for many calls), so
// a repeated token costs a lookup and the expiry check, not the signature and JSON decoding;
// with each token it remembers the expected audiences (the Host header as sent, or the public
// host, and the path) the token was accepted for, so a repeated call parses no URL. That is safe
// because acceptance is a function of exactly those inputs (the token's bytes, which its
// signature covers, the access keys, which clear the cache when they change, the Host header,
// the public host and the path); the expiry is checked on every call, and nothing refused is kept.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/jwt.hpp"
#include "service/options.hpp"

namespace switchboard::service {

struct AuthResult {
  std::shared_ptr<const auth::VerifiedToken> token;  // set when accepted
  std::string message;                               // why not, for the 401 body
};

// `host_header`: the request's Host field, if it has one. `audience_paths`: acceptable audience
// paths (each may carry a query such as `?hub=chat`).
AuthResult authenticate(std::optional<std::string_view> host_header, std::string_view token,
                        const ServiceOptions& options,
                        std::initializer_list<std::string_view> audience_paths);
// The same at `now` (epoch seconds) instead of the clock's time (tests).
AuthResult authenticate(std::optional<std::string_view> host_header, std::string_view token,
                        const ServiceOptions& options,
                        std::initializer_list<std::string_view> audience_paths, std::int64_t now);

}  // namespace switchboard::service
