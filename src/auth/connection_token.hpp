// Connection ids and tokens for negotiate. The token (secret, sent as `?id=`) is a random nonce
// with a MAC; the public connection id is derived from it, so the service needs no table of
// negotiated-but-unconnected connections and a forged or garbled token is recognised as unknown.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::auth {

struct ConnectionIdentity {
  std::string connection_id;     // 22 URL-safe characters
  std::string connection_token;  // 32 URL-safe characters
};

class ConnectionTokenCodec {
 public:
  // `secret`: random bytes private to this service process (or shared by a cluster).
  explicit ConnectionTokenCodec(std::string secret);
  ConnectionIdentity mint() const;
  // The connection id of a token minted by this codec, or nullopt for anything else.
  std::optional<std::string> connection_id_for(std::string_view connection_token) const;

 private:
  std::string connection_id_for_nonce(std::string_view nonce) const;
  std::string secret_;
};

}  // namespace switchboard::auth
