// UTF-8 validation (RFC 3629: shortest forms only, no surrogates, nothing above U+10FFFF),
// incremental so that text arriving in pieces (WebSocket frames, socket reads) is checked as it
// comes without being gathered first.
#pragma once

#include <cstddef>
#include <cstdint>
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

// Whether `text` is whole, valid UTF-8.
bool is_valid_utf8(std::string_view text);

}  // namespace switchboard::util
