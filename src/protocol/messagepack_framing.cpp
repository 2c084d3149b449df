// MessagePack record framing (see messagepack_framing.hpp): the VarInt prefix is checked as soon as
// its bytes arrive, so an oversized or malformed record fails the stream before its body comes.
#include "protocol/messagepack_framing.hpp"

#include <cstdint>

namespace switchboard::protocol {
namespace {

constexpr std::size_t kMaxVarIntBytes = 5;
constexpr std::uint64_t kMaxVarIntValue = 0x7FFFFFFF;
enum class VarIntStatus { Ok, Incomplete, Invalid };

// Decodes the length prefix at the start of `data`: its value and size in bytes.
VarIntStatus read_varint(std::string_view data, std::uint64_t& value, std::size_t& size) {
  value = 0;
  for (std::size_t i = 0; i < kMaxVarIntBytes; ++i) {
    if (i >= data.size()) return VarIntStatus::Incomplete;
    const auto byte = static_cast<unsigned char>(data[i]);
    value |= static_cast<std::uint64_t>(byte & 0x7F) << (7 * i);
    if ((byte & 0x80) == 0) {
      if (value > kMaxVarIntValue) return VarIntStatus::Invalid;
      size = i + 1;
      return VarIntStatus::Ok;
    }
  }
  return VarIntStatus::Invalid;  // a sixth prefix byte would be needed
}

}  // namespace

void append_varint(std::string& out, std::size_t length) {
  do {
    unsigned int byte = length & 0x7F;
    length >>= 7;
    if (length != 0) byte |= 0x80;
    out += static_cast<char>(byte);
  } while (length != 0);
}

bool MessagePackRecordReader::append(std::string_view bytes) {
  if (failed_) return false;
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    complete_end_ -= consumed_;
    consumed_ = 0;
  }
  if (buffer_.empty() && buffer_.capacity() > 4 * max_ + 4096) std::string().swap(buffer_);
  buffer_.append(bytes);
  // Walk the records after the last complete one: each prefix is checked as soon as it is known.
  while (complete_end_ < buffer_.size()) {
    std::uint64_t length = 0;
    std::size_t prefix = 0;
    const auto status =
        read_varint(std::string_view(buffer_).substr(complete_end_), length, prefix);
    if (status == VarIntStatus::Incomplete) break;
    if (status == VarIntStatus::Invalid || length > max_) {
      failed_ = true;
      std::string().swap(buffer_);
      consumed_ = 0;
      complete_end_ = 0;
      return false;
    }
    if (buffer_.size() - complete_end_ - prefix < length) break;
    complete_end_ += prefix + length;
  }
  return true;
}

std::optional<std::string_view> MessagePackRecordReader::next() {
  if (failed_ || consumed_ >= complete_end_) return std::nullopt;
  std::uint64_t length = 0;
  std::size_t prefix = 0;
  read_varint(std::string_view(buffer_).substr(consumed_), length, prefix);  // validated
  const std::string_view record(buffer_.data() + consumed_ + prefix, length);
  consumed_ += prefix + length;
  return record;
}

std::string frame_messagepack_record(std::string_view body) {
  std::string out;
  append_messagepack_record(out, body);
  return out;
}

void append_messagepack_record(std::string& out, std::string_view body) {
  out.reserve(out.size() + kMaxVarIntBytes + body.size());
  append_varint(out, body.size());
  out += body;
}

}  // namespace switchboard::protocol
