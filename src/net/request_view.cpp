// A request read in place: see request_view.hpp.
#include "net/request_view.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "util/text.hpp"

namespace switchboard::net {

namespace {

// `name`, a token (tchar bytes: whole_request checked them), equals `lower` (lower-case letters
// and '-', of the same size, at least 4 bytes) in any case. Eight or four bytes at a time, each
// with the 0x20 bit set: that folds upper-case letters onto lower-case ones, leaves lower-case
// letters and '-' as they are, and maps no other tchar onto a letter or '-'.
template <typename Word>
Word folded(const char* p) {
  Word word;
  std::memcpy(&word, p, sizeof word);
  return word | static_cast<Word>(0x2020202020202020ull);
}

template <typename Word>
Word plain(const char* p) {
  Word word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

template <typename Word>
bool equals_lowercase_words(const char* name, const char* lower, std::size_t size) {
  // Whole words, then the last word overlapping the one before.
  std::size_t i = 0;
  for (; i + sizeof(Word) < size; i += sizeof(Word))
    if (folded<Word>(name + i) != plain<Word>(lower + i)) return false;
  const std::size_t last = size - sizeof(Word);
  return folded<Word>(name + last) == plain<Word>(lower + last);
}

bool equals_lowercase(std::string_view name, std::string_view lower) {
  if (name.size() != lower.size()) return false;
  if (name.size() >= 8)
    return equals_lowercase_words<std::uint64_t>(name.data(), lower.data(), name.size());
  return equals_lowercase_words<std::uint32_t>(name.data(), lower.data(), name.size());
}

// The eight names with a code of their own here, lower-case, each of a length no other has.
struct CodedName {
  http::field code;
  std::string_view lower;
};
constexpr CodedName kCodedNames[] = {
    {http::field::host, "host"},
    {http::field::origin, "origin"},
    {http::field::connection, "connection"},
    {http::field::content_type, "content-type"},
    {http::field::authorization, "authorization"},
    {http::field::content_length, "content-length"},
    {http::field::proxy_connection, "proxy-connection"},
    {http::field::transfer_encoding, "transfer-encoding"},
};

// kCodedNames by length (one candidate per length: a length compare rules out most names).
constexpr std::size_t kLongestCodedName = 17;
constexpr auto kCodedByLength = [] {
  std::array<const CodedName*, kLongestCodedName + 1> by_length{};
  for (const auto& name : kCodedNames) by_length[name.lower.size()] = &name;
  return by_length;
}();

}  // namespace

http::field classify_field_name(std::string_view name) {
  if (name.size() > kLongestCodedName) return http::field::unknown;
  const CodedName* candidate = kCodedByLength[name.size()];
  return candidate && equals_lowercase(name, candidate->lower) ? candidate->code
                                                               : http::field::unknown;
}

bool has_code_here(http::field name) {
  for (const auto& coded : kCodedNames)
    if (coded.code == name) return true;
  return false;
}

std::optional<std::string_view> RequestView::field(http::field name) const {
  if (name == http::field::unknown) return std::nullopt;
  if (!has_code_here(name)) return field(http::to_string(name));
  for (std::size_t i = 0; i < field_count; ++i)
    if (fields[i].name == name) return fields[i].value;
  return std::nullopt;
}

std::optional<std::string_view> RequestView::field(std::string_view name) const {
  for (std::size_t i = 0; i < field_count; ++i)
    if (fields[i].name_text.size() == name.size() && util::iequals(fields[i].name_text, name))
      return fields[i].value;
  return std::nullopt;
}

Request to_request(const RequestView& view) {
  Request request;
  request.method_string(view.method_text);
  request.target(view.target);
  request.version(view.version);
  for (std::size_t i = 0; i < view.field_count; ++i) {
    const auto& field = view.fields[i];
    const http::field code =
        field.name == http::field::unknown ? http::string_to_field(field.name_text) : field.name;
    request.insert(code, field.name_text, field.value);
  }
  if (!view.body.empty()) request.body().assign(view.body);
  return request;
}

}  // namespace switchboard::net
