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

namespace {
std::string encode_time(std::int64_t t) {
  std::string out(4, '\0');
  auto v = static_cast<std::uint32_t>(t);
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  return out;
}
std::int64_t decode_time(std::string_view bytes) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}
}  // namespace

ConnectionIdentity ConnectionTokenCodec::mint(std::int64_t now) const {
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), kNonceBytes) != 1)
    throw std::runtime_error("RAND_bytes failed");
  std::string body = nonce + encode_time(now);
  std::string mac = hmac_sha256(secret_, "connection-token:" + body).substr(0, kMacBytes);
  return {connection_id_for_nonce(nonce), base64url_encode(body + mac)};
}

std::optional<ResolvedToken> ConnectionTokenCodec::resolve(
    std::string_view connection_token) const {
  auto raw = base64url_decode(connection_token);
  if (!raw || raw->size() != kNonceBytes + 4 + kMacBytes) return std::nullopt;
  std::string body = raw->substr(0, kNonceBytes + 4);
  std::string expected = hmac_sha256(secret_, "connection-token:" + body).substr(0, kMacBytes);
  if (CRYPTO_memcmp(expected.data(), raw->data() + kNonceBytes + 4, kMacBytes) != 0)
    return std::nullopt;
  return ResolvedToken{connection_id_for_nonce(body.substr(0, kNonceBytes)),
                       decode_time(std::string_view(body).substr(kNonceBytes))};
}

}  // namespace switchboard::auth
