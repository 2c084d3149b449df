// A request read in place: see request_view.hpp.
#include "net/request_view.hpp"

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

}  // namespace

http::field classify_field_name(std::string_view name) {
  // One candidate per length: a length compare rules out most names.
  switch (name.size()) {
    case 4:
      return equals_lowercase(name, "host") ? http::field::host : http::field::unknown;
    case 6:
      return equals_lowercase(name, "origin") ? http::field::origin : http::field::unknown;
    case 10:
      return equals_lowercase(name, "connection") ? http::field::connection : http::field::unknown;
    case 12:
      return equals_lowercase(name, "content-type") ? http::field::content_type
                                                    : http::field::unknown;
    case 13:
      return equals_lowercase(name, "authorization") ? http::field::authorization
                                                     : http::field::unknown;
    case 14:
      return equals_lowercase(name, "content-length") ? http::field::content_length
                                                      : http::field::unknown;
    case 16:
      return equals_lowercase(name, "proxy-connection") ? http::field::proxy_connection
                                                        : http::field::unknown;
    case 17:
      return equals_lowercase(name, "transfer-encoding") ? http::field::transfer_encoding
                                                         : http::field::unknown;
    default:
      return http::field::unknown;
  }
}

bool has_code_here(http::field name) {
  switch (name) {
    case http::field::host:
    case http::field::origin:
    case http::field::connection:
    case http::field::content_type:
    case http::field::authorization:
    case http::field::content_length:
    case http::field::proxy_connection:
    case http::field::transfer_encoding:
      return true;
    default:
      return false;
  }
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
