// Unit tests for percent-encoding and request targets (util/percent_encoding, util/target):
// lenient decoding (incomplete and invalid escapes kept literally, '+' only in queries), strict
// decoding (they are refused), encoding, and query lookups.
#include "util/url.hpp"

#include <gtest/gtest.h>

namespace switchboard::util {
namespace {

TEST(Url, PercentDecode) {
  EXPECT_EQ(percent_decode("a%20b%2Fc", false), "a b/c");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("a+b", true), "a b");
  EXPECT_EQ(percent_decode("%e2%82%AC", false), "\xe2\x82\xac");
  EXPECT_EQ(percent_decode("%00", false), std::string(1, '\0'));
  // Invalid and incomplete escapes stay as they are; nothing is read past the end.
  EXPECT_EQ(percent_decode("%", false), "%");
  EXPECT_EQ(percent_decode("%4", false), "%4");
  EXPECT_EQ(percent_decode("a%4", false), "a%4");
  EXPECT_EQ(percent_decode("%zz%4g", false), "%zz%4g");
  EXPECT_EQ(percent_decode("%%41", false), "%A");
  EXPECT_EQ(percent_decode("%41", false), "A");
  EXPECT_EQ(percent_decode("", true), "");
}

TEST(Url, PercentEncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(percent_encode("Az09-_.~"), "Az09-_.~");
  EXPECT_EQ(percent_encode("a b/c?d=e&f+%"), "a%20b%2Fc%3Fd%3De%26f%2B%25");
  EXPECT_EQ(percent_encode(std::string("\x00\xff", 2)), "%00%FF");
  for (std::string_view text : {"a b", "ü/€", "%2F", "x+y"}) {
    EXPECT_EQ(percent_decode(percent_encode(text), true), text);
  }
}

TEST(Url, PercentDecodeStrict) {
  EXPECT_EQ(percent_decode_strict("a%20b%2Fc+"), "a b/c+");  // '+' stays: not a query decoder
  EXPECT_EQ(percent_decode_strict("%e2%82%AC"), "\xe2\x82\xac");
  EXPECT_EQ(percent_decode_strict(""), "");
  for (const char* bad : {"%", "%4", "a%4", "%zz", "%4g", "%%41", "x%"}) {
    EXPECT_FALSE(percent_decode_strict(bad)) << bad;
    EXPECT_FALSE(percent_escapes_valid(bad)) << bad;
  }
  EXPECT_TRUE(percent_escapes_valid("a%41%7e"));
  EXPECT_TRUE(percent_escapes_valid(""));
}

TEST(Url, ParseTarget) {
  auto target = parse_target("/client/a%2Fb?hub=Chat&id=x+y&ID=second&&flag&e=%3D%26");
  EXPECT_EQ(target.path, "/client/a/b");
  EXPECT_EQ(target.get("hub"), "Chat");
  EXPECT_EQ(target.get("Id"), "x y");  // names compared case-insensitively, the first wins
  EXPECT_EQ(target.count("id"), 2u);
  EXPECT_EQ(target.get_all("id"), (std::vector<std::string>{"x y", "second"}));
  EXPECT_EQ(target.get("flag"), "");
  EXPECT_EQ(target.get("e"), "=&");
  EXPECT_FALSE(target.get("missing"));
  EXPECT_EQ(target.query.size(), 5u);  // the empty pair is skipped

  EXPECT_EQ(parse_target("/a+b").path, "/a+b");  // '+' is a space only in the query
  EXPECT_TRUE(parse_target("/x?").query.empty());
  EXPECT_EQ(parse_target("").path, "");
  auto odd = parse_target("?=v&k=a=b");
  EXPECT_EQ(odd.get(""), "v");
  EXPECT_EQ(odd.get("k"), "a=b");
}

}  // namespace
}  // namespace switchboard::util
