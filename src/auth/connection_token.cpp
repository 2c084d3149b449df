// Stateless connection tokens bound to their owner: see connection_token.hpp.
#include "auth/connection_token.hpp"

#include <openssl/crypto.h>

#include <stdexcept>

#include "auth/crypto.hpp"
#include "auth/jwt.hpp"

namespace switchboard::auth {

namespace {
constexpr std::size_t kNonceBytes = 16;
constexpr std::size_t kTimeBytes = 4;
constexpr std::size_t kFormBytes = 1;
constexpr std::size_t kBodyBytes = kNonceBytes + kTimeBytes + kFormBytes;
constexpr std::size_t kMacBytes = 8;
constexpr char kFormSeparate = 'S';   // negotiate v1: a public id derived from the nonce
constexpr char kFormIdIsToken = 'T';  // negotiate v0: the token is the id

std::string encode_time(std::int64_t t) {
  std::string out(kTimeBytes, '\0');
  auto v = static_cast<std::uint32_t>(t);
  for (std::size_t i = 0; i < kTimeBytes; ++i)
    out[i] = static_cast<char>((v >> (24 - 8 * i)) & 0xff);
  return out;
}

std::int64_t decode_time(std::string_view bytes) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < kTimeBytes; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}
}  // namespace

TokenAge connection_token_age(std::int64_t issued_at, std::int64_t now,
                              std::int64_t window_seconds) {
  if (issued_at > now && issued_at - now > kTokenClockSkewSeconds) return TokenAge::IssuedInFuture;
  if (now > issued_at && now - issued_at > window_seconds) return TokenAge::Expired;
  return TokenAge::Fresh;
}

ConnectionTokenCodec::ConnectionTokenCodec(std::string secret) : secret_(std::move(secret)) {}

std::string ConnectionTokenCodec::connection_id_for_nonce(std::string_view nonce) const {
  std::string message = "connection-id:";
  message.append(nonce);
  return base64url_encode(hmac_sha256(secret_, message).substr(0, 16));
}

std::string ConnectionTokenCodec::mac(std::string_view body, const TokenOwner& owner) const {
  // Lengths first, so that no two (hub, user) pairs give the same message.
  std::string message = "connection-token:";
  message.append(body);
  message += std::to_string(owner.hub.size()) + ':';
  message.append(owner.hub);
  message += std::to_string(owner.user.size()) + ':';
  message.append(owner.user);
  return hmac_sha256(secret_, message).substr(0, kMacBytes);
}

ConnectionIdentity ConnectionTokenCodec::mint(std::int64_t now, const TokenOwner& owner,
                                              bool id_is_token) const {
  const std::string nonce = random_bytes(kNonceBytes);
  std::string body = nonce + encode_time(now) + (id_is_token ? kFormIdIsToken : kFormSeparate);
  std::string token = base64url_encode(body + mac(body, owner));
  if (id_is_token) return {token, token};
  return {connection_id_for_nonce(nonce), std::move(token)};
}

std::optional<ResolvedToken> ConnectionTokenCodec::resolve(std::string_view connection_token,
                                                           const TokenOwner& owner) const {
  auto raw = base64url_decode(connection_token);
  if (!raw || raw->size() != kBodyBytes + kMacBytes) return std::nullopt;
  std::string_view body = std::string_view(*raw).substr(0, kBodyBytes);
  const char form = body.back();
  if (form != kFormSeparate && form != kFormIdIsToken) return std::nullopt;
  std::string expected = mac(body, owner);
  if (CRYPTO_memcmp(expected.data(), raw->data() + kBodyBytes, kMacBytes) != 0) return std::nullopt;
  std::int64_t issued_at = decode_time(body.substr(kNonceBytes, kTimeBytes));
  if (form == kFormIdIsToken) return ResolvedToken{std::string(connection_token), issued_at};
  return ResolvedToken{connection_id_for_nonce(body.substr(0, kNonceBytes)), issued_at};
}

}  // namespace switchboard::auth
