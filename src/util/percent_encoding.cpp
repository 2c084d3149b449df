// Percent-encoding and decoding: see percent_encoding.hpp.
#include "util/percent_encoding.hpp"

namespace switchboard::util {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The byte of the escape at `text[i]` ('%' then two hex digits), or -1.
int escape_at(std::string_view text, std::size_t i) {
  if (text[i] != '%' || i + 2 >= text.size()) return -1;
  const int hi = hex_value(text[i + 1]);
  const int lo = hex_value(text[i + 2]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

bool unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

}  // namespace

std::string percent_decode(std::string_view text, bool plus_as_space) {
  // Most paths and query values have nothing to decode: one copy, no per-byte work.
  if (text.find('%') == std::string_view::npos &&
      (!plus_as_space || text.find('+') == std::string_view::npos))
    return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (const int byte = escape_at(text, i); byte >= 0) {
      out.push_back(static_cast<char>(byte));
      i += 2;
      continue;
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::optional<std::string> percent_decode_strict(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const int byte = escape_at(text, i);
    if (byte < 0) return std::nullopt;
    out.push_back(static_cast<char>(byte));
    i += 2;
  }
  return out;
}

bool percent_escapes_valid(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') continue;
    if (escape_at(text, i) < 0) return false;
    i += 2;
  }
  return true;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (unreserved(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace switchboard::util
