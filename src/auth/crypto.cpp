// Small crypto helpers over OpenSSL: HMAC-SHA256, base64 / base64url codecs, random URL-safe ids.
#include "auth/crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <pthread.h>

#include <array>
#include <atomic>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace switchboard::auth {
namespace {

constexpr std::string_view kStandardAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    out.push_back(alphabet[v & 63]);
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (pad) out.append("==");
  } else if (rest == 2) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    out.push_back(alphabet[(v >> 6) & 63]);
    if (pad) out.push_back('=');
  }
  return out;
}

// The value of each byte in `alphabet`, -1 for bytes outside it; built once per alphabet (a
// token's three parts are decoded on every request that carries one).
using DecodeTable = std::array<signed char, 256>;
constexpr DecodeTable decode_table(std::string_view alphabet) {
  DecodeTable table{};
  for (auto& value : table) value = -1;
  for (std::size_t i = 0; i < alphabet.size(); ++i)
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
  return table;
}
constexpr DecodeTable kStandardTable = decode_table(kStandardAlphabet);
constexpr DecodeTable kUrlTable = decode_table(kUrlAlphabet);

// Decodes with `table`. Lenient form (standard base64): '=' padding is optional but, when
// present, must complete the last quantum. Canonical form (base64url, as JWS requires): no
// padding, and the unused low bits of the last character are zero, so that every byte string has
// exactly one accepted encoding. Any other character (whitespace included) is rejected.
std::optional<std::string> decode(std::string_view text, const DecodeTable& table, bool canonical) {
  std::size_t padding = 0;
  if (canonical && !text.empty() && text.back() == '=') return std::nullopt;
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
    ++padding;
  }
  if (padding > 2) return std::nullopt;
  if (padding > 0 && (text.size() + padding) % 4 != 0) return std::nullopt;
  if (text.size() % 4 == 1) return std::nullopt;

  std::string out(text.size() * 3 / 4, '\0');
  std::size_t written = 0;
  unsigned accumulator = 0;
  int bits = 0;
  for (char c : text) {
    const int value = table[static_cast<unsigned char>(c)];
    if (value < 0) return std::nullopt;
    accumulator = (accumulator << 6) | static_cast<unsigned>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[written++] = static_cast<char>((accumulator >> bits) & 0xFF);
    }
  }
  if (canonical && (accumulator & ((1u << bits) - 1)) != 0) return std::nullopt;
  out.resize(written);
  return out;
}

// A keyed HMAC-SHA256 context per key, per thread: OpenSSL's one-shot HMAC() looks the algorithm
// up in its provider tables and sets the key up (two SHA-256 blocks) on every call, ~45,000
// instructions; re-initialising a keyed context (EVP_MAC_init without a key) only copies the
// prepared inner state, and the call costs ~3,000. The services use one or two keys (the access
// keys, the connection-token secret); a thread keeps the last few, oldest replaced first.
class KeyedHmacs {
 public:
  KeyedHmacs() = default;
  KeyedHmacs(const KeyedHmacs&) = delete;
  KeyedHmacs& operator=(const KeyedHmacs&) = delete;
  ~KeyedHmacs() {
    for (auto& entry : entries_) EVP_MAC_CTX_free(entry.context);
    EVP_MAC_free(mac_);
  }

  // A context holding `key`, initialised for a new message.
  EVP_MAC_CTX* ready(std::string_view key) {
    for (auto& entry : entries_) {
      if (entry.context && entry.key == key) {
        if (EVP_MAC_init(entry.context, nullptr, 0, nullptr) != 1) break;
        return entry.context;
      }
    }
    return keyed(key);
  }

 private:
  struct Entry {
    std::string key;
    EVP_MAC_CTX* context = nullptr;
  };
  static constexpr std::size_t kKeys = 4;

  EVP_MAC_CTX* keyed(std::string_view key) {
    if (!mac_) mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (!mac_) throw std::runtime_error("HMAC-SHA256 failed: no HMAC implementation");
    Entry& entry = entries_[next_];
    next_ = (next_ + 1) % kKeys;
    EVP_MAC_CTX_free(entry.context);
    entry.context = EVP_MAC_CTX_new(mac_);
    entry.key.assign(key);
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
                           OSSL_PARAM_construct_end()};
    static const unsigned char kEmpty = 0;
    const auto* key_bytes =
        key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
    if (!entry.context || EVP_MAC_init(entry.context, key_bytes, key.size(), params) != 1) {
      EVP_MAC_CTX_free(entry.context);
      entry.context = nullptr;
      entry.key.clear();
      throw std::runtime_error("HMAC-SHA256 failed");
    }
    return entry.context;
  }

  EVP_MAC* mac_ = nullptr;
  std::array<Entry, kKeys> entries_{};
  std::size_t next_ = 0;
};

}  // namespace

std::string hmac_sha256(std::string_view key, std::string_view message) {
  thread_local KeyedHmacs hmacs;
  EVP_MAC_CTX* context = hmacs.ready(key);
  unsigned char digest[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  if ((!message.empty() &&
       EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(message.data()),
                      message.size()) != 1) ||
      EVP_MAC_final(context, digest, &length, sizeof digest) != 1) {
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string sha1(std::string_view message) {
  // The digest fetched once per thread and a context reused: OpenSSL 3's one-shot SHA1() fetches
  // the algorithm from its provider on every call (two thirds of a WebSocket accept value's cost).
  struct Sha1 {
    EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    Sha1() = default;
    Sha1(const Sha1&) = delete;
    Sha1& operator=(const Sha1&) = delete;
    ~Sha1() {
      EVP_MD_CTX_free(context);
      EVP_MD_free(md);
    }
  };
  thread_local Sha1 sha;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!sha.md || !sha.context || EVP_DigestInit_ex(sha.context, sha.md, nullptr) != 1 ||
      EVP_DigestUpdate(sha.context, message.data(), message.size()) != 1 ||
      EVP_DigestFinal_ex(sha.context, digest, &length) != 1) {
    throw std::runtime_error("SHA-1 failed");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string base64url_encode(std::string_view bytes) {
  return encode(bytes, kUrlAlphabet, false);
}

std::optional<std::string> base64url_decode(std::string_view text) {
  return decode(text, kUrlTable, true);
}

std::string base64_encode(std::string_view bytes) {
  return encode(bytes, kStandardAlphabet, true);
}

std::optional<std::string> base64_decode(std::string_view text) {
  return decode(text, kStandardTable, false);
}

namespace {
std::string hex(std::string_view bytes, const char (&digits)[17]) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out.push_back(digits[byte >> 4]);
    out.push_back(digits[byte & 15]);
  }
  return out;
}
}  // namespace

std::string hex_upper(std::string_view bytes) {
  return hex(bytes, "0123456789ABCDEF");
}

std::string hex_lower(std::string_view bytes) {
  return hex(bytes, "0123456789abcdef");
}

std::string sha256(std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(message.data(), message.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  return std::string(reinterpret_cast<const char*>(digest), length);
}

namespace {

// Small draws (ids, nonces, UUIDs) come from a pool per thread, refilled from RAND_bytes 512 bytes
// at a time: a RAND_bytes call costs ~6,000 instructions whatever its size (the DRBG's locking and
// bookkeeping), and a negotiate or an invocation makes one or two draws of 16 bytes. Bytes handed
// out are wiped from the pool. A child process made by fork() discards its copy of the parent's
// pool (pthread_atfork), so no two processes hand out the same bytes.
std::atomic<unsigned> fork_generation{0};

class RandomPool {
 public:
  static constexpr std::size_t kLargestDraw = 64;

  RandomPool() = default;
  RandomPool(const RandomPool&) = delete;
  RandomPool& operator=(const RandomPool&) = delete;
  ~RandomPool() { OPENSSL_cleanse(bytes_.data(), bytes_.size()); }

  void take(unsigned char* out, std::size_t n) {
    static std::once_flag registered;
    std::call_once(registered, [] {
      pthread_atfork(nullptr, nullptr,
                     [] { fork_generation.fetch_add(1, std::memory_order_relaxed); });
    });
    const unsigned generation = fork_generation.load(std::memory_order_relaxed);
    if (generation != generation_) {
      generation_ = generation;
      used_ = bytes_.size();  // a forked child's copy of the pool
    }
    if (n > bytes_.size() - used_) {
      if (RAND_bytes(bytes_.data(), static_cast<int>(bytes_.size())) != 1)
        throw std::runtime_error("RAND_bytes failed");
      used_ = 0;
    }
    std::memcpy(out, bytes_.data() + used_, n);
    OPENSSL_cleanse(bytes_.data() + used_, n);
    used_ += n;
  }

 private:
  std::array<unsigned char, 512> bytes_{};
  std::size_t used_ = bytes_.size();
  unsigned generation_ = 0;
};

}  // namespace

std::string random_bytes(std::size_t bytes) {
  std::string raw(bytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  if (bytes > 0 && bytes <= RandomPool::kLargestDraw) {
    thread_local RandomPool pool;
    pool.take(out, bytes);
  } else if (bytes > 0 && RAND_bytes(out, static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  return raw;
}

std::string random_id(std::size_t bytes) {
  return base64url_encode(random_bytes(bytes));
}

std::string random_uuid() {
  std::string raw = random_bytes(16);
  raw[6] = static_cast<char>((raw[6] & 0x0f) | 0x40);  // version 4
  raw[8] = static_cast<char>((raw[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string uuid;
  uuid.reserve(36);
  for (std::size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) uuid.push_back('-');
    const auto byte = static_cast<unsigned char>(raw[i]);
    uuid.push_back(kHex[byte >> 4]);
    uuid.push_back(kHex[byte & 15]);
  }
  return uuid;
}

}  // namespace switchboard::auth
