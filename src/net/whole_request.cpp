// The fast path's request parser: see whole_request.hpp. Line ends are found with memchr and
// header values checked sixteen bytes at a time, so a 250-byte bearer token costs a few hundred
// instructions instead of several per byte.
#include "net/whole_request.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace switchboard::net {

namespace {

// Sixteen bytes compared at once (SSE2 on x86-64, NEON on ARM; GCC and Clang vector extensions).
using Bytes16 = unsigned char __attribute__((vector_size(16)));

Bytes16 load16(const char* p) {
  Bytes16 bytes;
  std::memcpy(&bytes, p, sizeof bytes);
  return bytes;
}

// Whether any lane of a comparison's result is set.
template <typename Mask>
bool any_lane(const Mask& mask) {
  std::uint64_t halves[2];
  static_assert(sizeof mask == sizeof halves);
  std::memcpy(halves, &mask, sizeof halves);
  return (halves[0] | halves[1]) != 0;
}

// tchar of RFC 9110 §5.6.2: what a method and a field name are made of.
constexpr std::array<bool, 256> token_bytes() {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[c] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}
constexpr std::array<bool, 256> kTokenBytes = token_bytes();

bool is_token_byte(char c) {
  return kTokenBytes[static_cast<unsigned char>(c)];
}

// A field value's byte: anything but a control character other than HTAB, or DEL.
bool is_value_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u >= 0x20 && u != 0x7f) || u == '\t';
}

// The index of the first lane set in a comparison's result; 16 when none is.
template <typename Mask>
int first_lane(const Mask& mask) {
  std::uint64_t halves[2];
  static_assert(sizeof mask == sizeof halves);
  std::memcpy(halves, &mask, sizeof halves);
  if (halves[0] != 0) return __builtin_ctzll(halves[0]) / 8;
  if (halves[1] != 0) return 8 + __builtin_ctzll(halves[1]) / 8;
  return 16;
}

constexpr Bytes16 kLaneIndexes = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};

// The lanes of 16 bytes that may not be in a field value.
auto bad_value_lanes(const Bytes16& bytes) {
  // (HTAB is the one control character below 0x20 that a value may hold.)
  return ((bytes < 0x20) ^ (bytes == '\t')) | (bytes == 0x7f);
}

// Whether [p, end) is all field-value bytes; `limit` (>= end) bounds what may be read.
bool all_value_bytes(const char* p, const char* end, const char* limit) {
  const auto size = end - p;
  if (size < 16) {
    // A short value in one load where 16 bytes can be read, only its own lanes counted.
    if (limit - p < 16) return std::all_of(p, end, is_value_byte);
    return !any_lane(bad_value_lanes(load16(p)) &
                     (kLaneIndexes < static_cast<unsigned char>(size)));
  }
  for (; end - p > 16; p += 16)
    if (any_lane(bad_value_lanes(load16(p)))) return false;
  // The last 16 bytes, overlapping those checked already.
  return !any_lane(bad_value_lanes(load16(end - 16)));
}

// The end of the token (tchar run) at `p`, before `limit`: sixteen bytes at a time while they
// are letters, digits and '-' (what field names are made of), byte by byte from the first other.
const char* token_end(const char* p, const char* limit) {
  while (limit - p >= 16) {
    const Bytes16 bytes = load16(p);
    const Bytes16 folded = bytes | 0x20;  // letters to lower case (nothing else lands on a-z)
    const auto common =
        ((folded >= 'a') & (folded <= 'z')) | ((bytes >= '0') & (bytes <= '9')) | (bytes == '-');
    const int lane = first_lane(~common);
    p += lane;
    if (lane < 16) break;
  }
  while (p < limit && is_token_byte(*p)) ++p;
  return p;
}

// Visible ASCII (0x21-0x7e): what this path takes in a request target.
bool all_visible_ascii(const char* p, const char* end) {
  for (; end - p >= 16; p += 16) {
    const Bytes16 bytes = load16(p);
    if (any_lane((bytes < 0x21) | (bytes > 0x7e))) return false;
  }
  return std::all_of(p, end, [](char c) { return c > 0x20 && c < 0x7f; });
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

// A Content-Length of 1 to 18 digits (no list, no sign).
bool parse_length(std::string_view value, std::size_t& length) {
  if (value.empty() || value.size() > 18) return false;
  std::size_t n = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + static_cast<std::size_t>(c - '0');
  }
  length = n;
  return true;
}

// A Connection value as a plain list: tokens separated by commas, with optional spaces or tabs
// around them, no empty element.
bool plain_token_list(std::string_view value) {
  while (true) {
    std::size_t i = 0;
    while (i < value.size() && is_space(value[i])) ++i;
    const std::size_t token_begin = i;
    while (i < value.size() && is_token_byte(value[i])) ++i;
    if (i == token_begin) return false;
    while (i < value.size() && is_space(value[i])) ++i;
    if (i == value.size()) return true;
    if (value[i] != ',') return false;
    value.remove_prefix(i + 1);
  }
}

}  // namespace

std::size_t parse_whole_request(std::string_view bytes, const WholeRequestLimits& limits,
                                RequestView& request) {
  request.field_count = 0;
  const char* const begin = bytes.data();
  // The head must end (blank line included) within the header limit.
  const char* const limit = begin + std::min(bytes.size(), limits.max_header_bytes);
  const char* p = begin;

  // request-line = method SP origin-form SP HTTP-version CRLF
  const char* q = p;
  while (q < limit && is_token_byte(*q)) ++q;
  if (q == p || q == limit || *q != ' ') return 0;
  const std::string_view method(p, static_cast<std::size_t>(q - p));
  p = q + 1;
  q = static_cast<const char*>(std::memchr(p, ' ', static_cast<std::size_t>(limit - p)));
  if (q == nullptr || q == p || *p != '/' || !all_visible_ascii(p, q)) return 0;
  const std::string_view target(p, static_cast<std::size_t>(q - p));
  p = q + 1;
  if (limit - p < 10 || std::memcmp(p, "HTTP/1.", 7) != 0 || (p[7] != '0' && p[7] != '1') ||
      p[8] != '\r' || p[9] != '\n')
    return 0;
  request.method_text = method;
  request.method = http::string_to_verb(method);
  request.target = target;
  request.version = p[7] == '1' ? 11 : 10;
  p += 10;

  // *( field-name ":" OWS field-value OWS CRLF ) CRLF
  std::size_t content_length = 0;
  bool has_length = false;
  for (;;) {
    if (limit - p < 2) return 0;
    if (p[0] == '\r') {
      if (p[1] != '\n') return 0;
      p += 2;
      break;
    }
    q = token_end(p, limit);
    if (q == p || q == limit || *q != ':') return 0;
    const std::string_view name(p, static_cast<std::size_t>(q - p));
    p = q + 1;
    while (p < limit && is_space(*p)) ++p;
    const char* cr =
        static_cast<const char*>(std::memchr(p, '\r', static_cast<std::size_t>(limit - p)));
    // CR LF, then a byte that is not a space or tab (that would be obsolete line folding).
    if (cr == nullptr || limit - cr < 3 || cr[1] != '\n' || is_space(cr[2])) return 0;
    if (!all_value_bytes(p, cr, limit)) return 0;
    const char* value_end = cr;
    while (value_end > p && is_space(value_end[-1])) --value_end;
    const std::string_view value(p, static_cast<std::size_t>(value_end - p));
    const http::field field = classify_field_name(name);
    switch (field) {
      case http::field::transfer_encoding:
        return 0;
      case http::field::content_length:
        if (has_length || !parse_length(value, content_length)) return 0;
        has_length = true;
        break;
      case http::field::connection:
      case http::field::proxy_connection:
        if (!plain_token_list(value)) return 0;
        break;
      default:
        break;
    }
    if (request.field_count == RequestView::kMaxFields) return 0;
    request.fields[request.field_count++] = {field, name, value};
    p = cr + 2;
  }

  const auto head_size = static_cast<std::size_t>(p - begin);
  if (content_length > limits.max_body_bytes || bytes.size() - head_size < content_length) return 0;
  request.body = std::string_view(p, content_length);
  return head_size + content_length;
}

std::size_t parse_whole_request(std::string_view bytes, const WholeRequestLimits& limits,
                                Request& request) {
  RequestView view;
  const std::size_t used = parse_whole_request(bytes, limits, view);
  if (used != 0) request = to_request(view);
  return used;
}

}  // namespace switchboard::net
