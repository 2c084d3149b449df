// Connection ids and tokens for negotiate. The token (secret, sent as `?id=`) is a random nonce
// and its issue time with a MAC; the public connection id is derived from it, so the service
// needs no table of negotiated-but-unconnected connections, a forged or garbled token is
// recognised as unknown, and a stale one can be refused.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::auth {

struct ConnectionIdentity {
  std::string connection_id;     // 22 URL-safe characters
  std::string connection_token;  // 38 URL-safe characters
};

struct ResolvedToken {
  std::string connection_id;
  std::int64_t issued_at = 0;  // epoch seconds
};

class ConnectionTokenCodec {
 public:
  // `secret`: random bytes private to this service process (or shared by a cluster).
  explicit ConnectionTokenCodec(std::string secret);
  ConnectionIdentity mint(std::int64_t now) const;
  // The connection id and issue time of a token minted by this codec, or nullopt for anything
  // else.
  std::optional<ResolvedToken> resolve(std::string_view connection_token) const;

 private:
  std::string connection_id_for_nonce(std::string_view nonce) const;
  std::string secret_;
};

}  // namespace switchboard::auth
