// Checks on text that comes from the wire: UTF-8 validity (RFC 3629: shortest forms only, no
// surrogates, nothing above U+10FFFF), whole or incremental so that text arriving in pieces
// (WebSocket frames, socket reads) is checked as it comes without being gathered first, and
// control characters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::util {

class Utf8Validator {
 public:
  // Checks the next bytes; false at the first byte that cannot be UTF-8 (the validator then
  // stays failed until reset()).
  bool feed(std::string_view bytes);
  // Whether the text so far ends on a character boundary (no sequence cut short).
  bool complete() const { return need_ == 0 && !failed_; }
  void reset() { *this = Utf8Validator(); }

 private:
  std::uint8_t need_ = 0;  // continuation bytes still expected
  std::uint8_t low_ = 0x80;
  std::uint8_t high_ = 0xBF;
  bool failed_ = false;
};

// Whether `bytes` is whole, valid UTF-8.
bool is_valid_utf8(std::string_view bytes);
// The length (1..4) of the valid UTF-8 sequence starting at text[i], or 0 when the bytes there are
// not one (overlong forms, surrogates, code points above U+10FFFF, a sequence cut short).
std::size_t utf8_sequence_length(std::string_view text, std::size_t i);
// `text` with every byte that is not part of a valid sequence replaced by U+FFFD (as the JS and
// .NET MessagePack decoders do); valid text is returned unchanged.
std::string replace_invalid_utf8(std::string_view text);
// The first control character (0x00-0x1F or 0x7F) in `bytes`, if any.
std::optional<unsigned char> first_control_byte(std::string_view bytes);

}  // namespace switchboard::util
