// Unit tests for the OpenSSL helpers: HMAC-SHA256 and SHA-1 known answers, base64/base64url, random
// ids.
#include "auth/crypto.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace switchboard::auth {
namespace {

TEST(Crypto, HmacSha256KnownAnswers) {
  // RFC 4231 test case 2.
  EXPECT_EQ(hex_upper(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843");
  EXPECT_EQ(hex_upper(hmac_sha256("", "")),
            "B613679A0814D9EC772F95D778C35FC5FF1697C493715653C6C712144292C5AD");
  // The upstream signature of the emulator's key over a connection id (python hmac).
  EXPECT_EQ(hex_upper(hmac_sha256("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH", "conn1")),
            "8DE7281E588E23B0A30A7180FFA240257B8176E983004C240C9F3F7A7233C993");
  EXPECT_EQ(hmac_sha256("k", "m").size(), 32u);
}

// Each thread keeps a keyed context for its last few keys: more keys than it keeps, taken in turn
// and again, a key longer than a SHA-256 block, and the same from another thread all give the
// answers of a fresh computation (python's hmac module).
TEST(Crypto, HmacSha256ManyKeysAndThreads) {
  const std::vector<std::string> expected = {
      "54FE291C2039039E996E1FD940BDCF30A3D0CDE8ADDC61F52D22767B51CF5BF2",
      "54F035BFBD6B44445D771C7C430E0753F1C00823974108FB4723703782552296",
      "4624312DA31ADA485B87BEEECEF0E5F0311CD5DE60EA12291CE34CAB158E0CC7",
      "E25173642E14BAED69B73CAD9966501FAF29A1A310E5D178C95F1D38953AD3A6",
      "A36D7B26E9A14CBC6D61C4D229B696D4AB3E39F686D66ADDA4040764BDAF4016",
      "5E2557330ECD97615D3D71414261C28BE4474A3856B471B7264F1F8CEF12DE43"};
  auto check_all = [&] {
    for (int round = 0; round < 3; ++round) {
      for (std::size_t i = 0; i < expected.size(); ++i) {
        const std::string n = std::to_string(i);
        EXPECT_EQ(hex_upper(hmac_sha256("key" + n, "message " + n)), expected[i]) << i;
        // The same key twice in a row (the context is re-initialised, not re-keyed).
        EXPECT_EQ(hex_upper(hmac_sha256("key" + n, "message " + n)), expected[i]) << i;
      }
    }
    // RFC 4231 test case 6: a 131-byte key, hashed first.
    EXPECT_EQ(hex_upper(hmac_sha256(std::string(131, '\xaa'),
                                    "Test Using Larger Than Block-Size Key - Hash Key First")),
              "60E431591EE0B67F0D8A26AACBF5B77F8E0BC6213728C5140546040F0EE37F54");
  };
  check_all();
  std::thread other(check_all);
  other.join();
}

TEST(Crypto, Sha1KnownAnswers) {
  // FIPS 180 examples, each twice (the thread's context is reused).
  for (int round = 0; round < 2; ++round) {
    EXPECT_EQ(hex_upper(sha1("abc")), "A9993E364706816ABA3E25717850C26C9CD0D89D");
    EXPECT_EQ(hex_upper(sha1("")), "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
    EXPECT_EQ(hex_upper(sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
              "84983E441C3BD26EBAAE4AA1F95129E5E54670F1");
  }
}

TEST(Crypto, HexUpper) {
  EXPECT_EQ(hex_upper(std::string("\x00\x0f\xab\xff", 4)), "000FABFF");
  EXPECT_EQ(hex_upper(""), "");
}

TEST(Crypto, Base64Standard) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");
  EXPECT_EQ(base64_decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(base64_decode("Zm9vYmE"), "fooba");
  EXPECT_EQ(base64_decode("+/8="), "\xfb\xff");
  EXPECT_FALSE(base64_decode("-_8"));  // url alphabet is not standard
  EXPECT_FALSE(base64_decode("Zm9v!"));
  EXPECT_FALSE(base64_decode("Z"));
  EXPECT_FALSE(base64_decode("Zg==="));
}

TEST(Crypto, Base64UrlIsCanonicalUnpadded) {
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode(R"({"alg":"HS256","typ":"JWT"})"),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  EXPECT_EQ(base64url_decode("-_8"), "\xfb\xff");
  EXPECT_EQ(base64url_decode("Zg"), "f");
  // JWS (RFC 7515 §2) and our connection tokens: one encoding per byte string. Padding and
  // non-zero unused bits are other spellings of the same bytes, refused.
  EXPECT_FALSE(base64url_decode("-_8="));
  EXPECT_FALSE(base64url_decode("Zg=="));
  EXPECT_FALSE(base64url_decode("Zh"));   // "f" with a set unused bit
  EXPECT_FALSE(base64url_decode("-_9"));  // "\xfb\xff" with a set unused bit
  EXPECT_EQ(base64url_decode("Zm9v"), "foo");
  EXPECT_EQ(base64url_decode(""), "");
  EXPECT_FALSE(base64url_decode("+/8"));     // standard alphabet rejected
  EXPECT_FALSE(base64url_decode("Zg="));     // padding that does not complete the quantum
  EXPECT_FALSE(base64url_decode("Zm 9v"));   // whitespace
  EXPECT_FALSE(base64url_decode("Zm9v.x"));  // invalid character
  EXPECT_FALSE(base64url_decode("Zm9vY"));   // impossible length
  for (int n = 0; n < 40; ++n) {
    std::string bytes;
    for (int i = 0; i < n; ++i) bytes.push_back(static_cast<char>(i * 37 + n));
    EXPECT_EQ(base64url_decode(base64url_encode(bytes)), bytes);
    EXPECT_EQ(base64_decode(base64_encode(bytes)), bytes);
  }
}

TEST(Crypto, RandomIdsAreUrlSafeAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string id = random_id();
    EXPECT_EQ(id.size(), 22u);
    EXPECT_EQ(
        id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        std::string::npos);
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(random_id(32).size(), 43u);
}

// Small draws come from a per-thread pool: across many refills, of every size up to the largest
// pooled draw and one above, no two draws are the same, and both halves of a byte are used.
TEST(Crypto, RandomBytesFromThePoolAreDistinctAcrossRefills) {
  std::set<std::string> seen;
  int draws = 0;
  std::array<int, 256> counts{};
  for (int round = 0; round < 100; ++round) {
    for (std::size_t size : {8u, 16u, 33u, 64u, 65u}) {
      const std::string bytes = random_bytes(size);
      ASSERT_EQ(bytes.size(), size);
      seen.insert(bytes);
      ++draws;
      for (char c : bytes) ++counts[static_cast<unsigned char>(c)];
    }
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(draws));
  // 18,600 bytes: every byte value turns up (the chance that one does not is about 256 * e^-72).
  for (int value = 0; value < 256; ++value) EXPECT_GT(counts[value], 0) << value;
  EXPECT_EQ(random_bytes(0), "");
}

// A child made by fork() must not hand out the bytes still in its parent's pool.
TEST(Crypto, RandomBytesDifferInAForkedChild) {
  random_bytes(16);  // the pool is filled and holds bytes the next draws would take
  int pipe_ends[2];
  ASSERT_EQ(::pipe(pipe_ends), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string bytes = random_bytes(16);
    const auto written = ::write(pipe_ends[1], bytes.data(), bytes.size());
    ::_exit(written == 16 ? 0 : 1);
  }
  ::close(pipe_ends[1]);
  const std::string mine = random_bytes(16);
  std::string theirs(16, '\0');
  std::size_t got = 0;
  while (got < theirs.size()) {
    const auto n = ::read(pipe_ends[0], theirs.data() + got, theirs.size() - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(pipe_ends[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_EQ(got, 16u);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_NE(mine, theirs);
}

}  // namespace
}  // namespace switchboard::auth

TEST(RandomUuid, IsAVersion4UuidAndUnique) {
  const std::string a = switchboard::auth::random_uuid();
  const std::string b = switchboard::auth::random_uuid();
  ASSERT_EQ(a.size(), 36u);
  EXPECT_NE(a, b);
  for (std::size_t i : {8u, 13u, 18u, 23u}) EXPECT_EQ(a[i], '-') << a;
  EXPECT_EQ(a[14], '4') << a;                                          // version
  EXPECT_NE(std::string("89ab").find(a[19]), std::string::npos) << a;  // variant
  for (char c : a) {
    const auto u = static_cast<unsigned char>(c);
    EXPECT_TRUE(c == '-' || (std::isxdigit(u) && !std::isupper(u))) << a;
  }
}
