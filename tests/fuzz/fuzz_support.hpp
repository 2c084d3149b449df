// What the fuzz targets share: FUZZ_CHECK, an invariant that must hold for every input (a broken
// one prints what was expected and aborts, which libFuzzer reports as a crash with the input),
// and the split of an input into newline-separated fields (targets that take several strings).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#define FUZZ_CHECK(condition, what)                                                     \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                   #condition, what);                                                   \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)

namespace fuzz {

inline std::string_view bytes(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The first `count - 1` newline-terminated fields of `input` and the rest as the last one; fields
// that are not there are empty.
inline std::vector<std::string_view> fields(std::string_view input, std::size_t count) {
  std::vector<std::string_view> out;
  for (std::size_t i = 0; i + 1 < count; ++i) {
    auto newline = input.find('\n');
    out.push_back(input.substr(0, newline));
    input = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);
  }
  out.push_back(input);
  return out;
}

}  // namespace fuzz
