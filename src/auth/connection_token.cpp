// Stateless connection tokens: see connection_token.hpp.
#include "auth/connection_token.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "auth/crypto.hpp"

namespace switchboard::auth {

namespace {
constexpr std::size_t kNonceBytes = 16;
constexpr std::size_t kMacBytes = 8;
}  // namespace

ConnectionTokenCodec::ConnectionTokenCodec(std::string secret) : secret_(std::move(secret)) {}

std::string ConnectionTokenCodec::connection_id_for_nonce(std::string_view nonce) const {
  std::string message = "connection-id:";
  message.append(nonce);
  return base64url_encode(hmac_sha256(secret_, message).substr(0, 16));
}

ConnectionIdentity ConnectionTokenCodec::mint() const {
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) != 1)
    throw std::runtime_error("RAND_bytes failed");
  std::string mac = hmac_sha256(secret_, "connection-token:" + nonce).substr(0, kMacBytes);
  return {connection_id_for_nonce(nonce), base64url_encode(nonce + mac)};
}

std::optional<std::string> ConnectionTokenCodec::connection_id_for(
    std::string_view connection_token) const {
  auto raw = base64url_decode(connection_token);
  if (!raw || raw->size() != kNonceBytes + kMacBytes) return std::nullopt;
  std::string nonce = raw->substr(0, kNonceBytes);
  std::string expected = hmac_sha256(secret_, "connection-token:" + nonce).substr(0, kMacBytes);
  if (CRYPTO_memcmp(expected.data(), raw->data() + kNonceBytes, kMacBytes) != 0)
    return std::nullopt;
  return connection_id_for_nonce(nonce);
}

}  // namespace switchboard::auth
