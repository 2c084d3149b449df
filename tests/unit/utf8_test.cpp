// Unit tests for UTF-8 validation: every well-formed length, the ill-formed cases RFC 3629 names
// (overlong forms, surrogates, beyond U+10FFFF, stray continuation bytes, cut sequences), and
// text fed in pieces.
#include "util/utf8.hpp"

#include <gtest/gtest.h>

#include <string>

namespace switchboard::util {
namespace {

TEST(Utf8, AcceptsWellFormedText) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("plain ASCII \x01\x7f"));       // control characters are UTF-8 too
  EXPECT_TRUE(is_valid_utf8("\xc2\x80 \xdf\xbf"));          // U+0080, U+07FF
  EXPECT_TRUE(is_valid_utf8("\xe0\xa0\x80 \xef\xbf\xbf"));  // U+0800, U+FFFF
  EXPECT_TRUE(is_valid_utf8("\xed\x9f\xbf \xee\x80\x80"));  // around the surrogates
  EXPECT_TRUE(is_valid_utf8("\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf"));  // U+10000, U+10FFFF
  EXPECT_TRUE(is_valid_utf8(std::string("nul \0 inside", 12)));
}

TEST(Utf8, RefusesIllFormedText) {
  for (const char* bad : {
           "\x80",              // a continuation byte first
           "\xc0\x80",          // overlong NUL
           "\xc1\xbf",          // overlong
           "\xe0\x9f\xbf",      // overlong three-byte form
           "\xed\xa0\x80",      // U+D800, a surrogate
           "\xed\xbf\xbf",      // U+DFFF
           "\xf0\x8f\xbf\xbf",  // overlong four-byte form
           "\xf4\x90\x80\x80",  // U+110000
           "\xf5\x80\x80\x80",  // F5 never starts a sequence
           "\xff",
           "\xc3",          // cut short
           "\xe2\x82",      // cut short
           "\xe2\x28\xa1",  // a continuation byte missing in the middle
       })
    EXPECT_FALSE(is_valid_utf8(bad)) << testing::PrintToString(std::string(bad));
}

TEST(Utf8, WholeAndIncrementalAgree) {
  for (const char* text :
       {"ok", "\xe2\x82\xac", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", "\xe2\x82"}) {
    Utf8Validator validator;
    const bool incremental = validator.feed(text) && validator.complete();
    EXPECT_EQ(incremental, is_valid_utf8(text)) << testing::PrintToString(std::string(text));
  }
}

TEST(Utf8, FindsControlCharacters) {
  EXPECT_FALSE(first_control_byte("plain text \xe2\x82\xac"));
  EXPECT_EQ(first_control_byte(std::string("a\0b", 3)), 0);
  EXPECT_EQ(first_control_byte("tab\there"), '\t');
  EXPECT_EQ(first_control_byte("del\x7f"), 0x7f);
}

TEST(Utf8, ValidatesInPieces) {
  const std::string text = "a\xe2\x82\xac\xf0\x9f\x98\x80z";  // a, euro sign, emoji, z
  for (std::size_t cut = 0; cut <= text.size(); ++cut) {
    Utf8Validator validator;
    ASSERT_TRUE(validator.feed(text.substr(0, cut))) << cut;
    ASSERT_TRUE(validator.feed(text.substr(cut))) << cut;
    EXPECT_TRUE(validator.complete()) << cut;
  }
  Utf8Validator validator;
  ASSERT_TRUE(validator.feed("\xe2\x82"));
  EXPECT_FALSE(validator.complete());
  EXPECT_FALSE(validator.feed("x"));
  EXPECT_FALSE(validator.feed("y")) << "stays failed";
  validator.reset();
  EXPECT_TRUE(validator.feed("fresh"));
  EXPECT_TRUE(validator.complete());
}

TEST(Utf8, SequenceLength) {
  EXPECT_EQ(utf8_sequence_length("a", 0), 1u);
  EXPECT_EQ(utf8_sequence_length("\xc2\x80", 0), 2u);
  EXPECT_EQ(utf8_sequence_length("\xe2\x82\xac", 0), 3u);
  EXPECT_EQ(utf8_sequence_length("\xf4\x8f\xbf\xbf", 0), 4u);
  EXPECT_EQ(utf8_sequence_length("x\xe2\x82\xac", 1), 3u);
  EXPECT_EQ(utf8_sequence_length("\xe2\x82", 0), 0u) << "cut short";
  EXPECT_EQ(utf8_sequence_length("\xed\xa0\x80", 0), 0u) << "surrogate";
  EXPECT_EQ(utf8_sequence_length("\xf4\x90\x80\x80", 0), 0u) << "above U+10FFFF";
  EXPECT_EQ(utf8_sequence_length("\xc0\x80", 0), 0u) << "overlong";
  EXPECT_EQ(utf8_sequence_length("\x80", 0), 0u) << "continuation first";
  EXPECT_EQ(utf8_sequence_length("ab", 2), 0u) << "past the end";
}

TEST(Utf8, ReplaceInvalidBytesOneByOne) {
  EXPECT_EQ(replace_invalid_utf8("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(replace_invalid_utf8("a\xff"
                                 "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(replace_invalid_utf8("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(replace_invalid_utf8("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
  EXPECT_EQ(replace_invalid_utf8(""), "");
  EXPECT_TRUE(is_valid_utf8(replace_invalid_utf8("\xf8\x88\x80\x80\x80 \xc1\xbf")));
}

}  // namespace
}  // namespace switchboard::util
