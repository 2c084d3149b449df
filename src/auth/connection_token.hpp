// Connection ids and tokens for negotiate. The token (secret, sent as `?id=`) is a random nonce,
// its issue time and its form with a MAC that also covers the hub and the user of the access
// token that negotiated it; the public connection id is derived from the nonce. So the service
// needs no table of negotiated-but-unconnected connections, a forged or garbled token is
// recognised as unknown, a stale one can be refused, and a token presented with another identity
// (another user's access token, another hub) resolves to nothing: a connection belongs to whoever
// negotiated it.
//
// Negotiate version 0 has no separate token: its client connects with the connection id it was
// given, and that id is the one applications hand to their servers. A version-0 token is
// therefore both: its connection id is the token itself.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::auth {

struct ConnectionIdentity {
  std::string connection_id;     // 22 URL-safe characters (version 0: the token itself)
  std::string connection_token;  // 39 URL-safe characters
};

struct ResolvedToken {
  std::string connection_id;
  std::int64_t issued_at = 0;  // epoch seconds
};

// Who a token is issued to: the hub (lower-cased) and the user id of the negotiating access
// token (empty: anonymous).
struct TokenOwner {
  std::string_view hub;
  std::string_view user;
};

// Whether a resolved token may still open its connection at `now` (epoch seconds): it must be
// used within `window_seconds` of its issue, and not be issued more than the tokens' clock skew
// (kTokenClockSkewSeconds) after `now`, which only a node with a clock ahead can do.
enum class TokenAge { Fresh, Expired, IssuedInFuture };
TokenAge connection_token_age(std::int64_t issued_at, std::int64_t now,
                              std::int64_t window_seconds);

class ConnectionTokenCodec {
 public:
  // `secret`: random bytes private to this service process (or shared by a cluster).
  explicit ConnectionTokenCodec(std::string secret);
  // `id_is_token`: the negotiate version 0 form, whose connection id is the token.
  ConnectionIdentity mint(std::int64_t now, const TokenOwner& owner, bool id_is_token) const;
  // The connection id and issue time of a token this codec minted for `owner`, or nullopt for
  // anything else (including a token minted for another hub or user).
  std::optional<ResolvedToken> resolve(std::string_view connection_token,
                                       const TokenOwner& owner) const;

 private:
  std::string mac(std::string_view body, const TokenOwner& owner) const;
  std::string connection_id_for_nonce(std::string_view nonce) const;
  std::string secret_;
};

}  // namespace switchboard::auth
