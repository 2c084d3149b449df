// HS256 JWT: base64url(header).base64url(claims).base64url(HMAC-SHA256(key, both)).
#include "jwt.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <ctime>

namespace lc {

std::string base64url(const std::string& bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  auto at = [&](std::size_t k) {
    return static_cast<unsigned>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (at(i) << 16) | (at(i + 1) << 8) | at(i + 2);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
    out += table[v & 63];
  }
  if (i + 1 == bytes.size()) {
    unsigned v = at(i) << 16;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    unsigned v = (at(i) << 16) | (at(i + 1) << 8);
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += table[(v >> 6) & 63];
  }
  return out;
}

std::string mint_token(const std::string& key, const std::string& audience, const std::string& user,
                       long long lifetime_s) {
  long long now = static_cast<long long>(std::time(nullptr));
  std::string claims = "{\"aud\":\"" + audience + "\",\"iat\":" + std::to_string(now) +
                       ",\"nbf\":" + std::to_string(now) +
                       ",\"exp\":" + std::to_string(now + lifetime_s);
  if (!user.empty()) claims += ",\"asrs.s.uid\":\"" + user + "\"";
  claims += "}";
  std::string signing = base64url(R"({"alg":"HS256","typ":"JWT"})") + "." + base64url(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(signing.data()), signing.size(), mac, &mac_len);
  return signing + "." + base64url(std::string(reinterpret_cast<char*>(mac), mac_len));
}

}  // namespace lc
