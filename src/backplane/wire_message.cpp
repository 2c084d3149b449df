// The backplane's message format: see wire_message.hpp.
#include "backplane/wire_message.hpp"

namespace switchboard::backplane {

namespace {

void put_length(std::string& out, std::uint64_t n) {
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
}

void put_field(std::string& out, std::string_view field) {
  put_length(out, field.size());
  out.append(field);
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool length(std::uint64_t& n) {
    n = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= bytes_.size()) return false;
      auto byte = static_cast<std::uint8_t>(bytes_[pos_++]);
      n |= static_cast<std::uint64_t>(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  bool field(std::string& out) {
    std::uint64_t n;
    if (!length(n) || n > bytes_.size() - pos_) return false;
    out.assign(bytes_.substr(pos_, n));
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string encode_wire_message(const WireMessage& message) {
  std::string out;
  out.reserve(32 + message.hub.size() + message.target.size() + message.json_frame.size() +
              message.messagepack_frame.size());
  out.append("SB");
  out.push_back(static_cast<char>(message.ack.empty() ? 1 : 2));
  out.push_back(static_cast<char>(message.kind));
  put_field(out, message.hub);
  put_field(out, message.target);
  put_field(out, message.group);
  put_field(out, message.reason);
  put_field(out, message.json_frame);
  put_field(out, message.messagepack_frame);
  put_length(out, message.excluded.size());
  for (const auto& id : message.excluded) put_field(out, id);
  if (!message.ack.empty()) put_field(out, message.ack);
  return out;
}

std::optional<WireMessage> decode_wire_message(std::string_view bytes, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<WireMessage> {
    if (error) *error = std::move(why);
    return std::nullopt;
  };
  if (bytes.size() < 4 || bytes.substr(0, 2) != "SB") return fail("not a Switchboard message");
  auto version = static_cast<std::uint8_t>(bytes[2]);
  if (version < 1 || version > kWireVersion)
    return fail("format version " + std::to_string(version) +
                (version > kWireVersion ? " is newer than" : " differs from") + " this node's " +
                std::to_string(kWireVersion));
  auto kind = static_cast<std::uint8_t>(bytes[3]);
  if (kind < static_cast<std::uint8_t>(WireKind::SendAll) ||
      kind > static_cast<std::uint8_t>(WireKind::Ack))
    return fail("unknown kind " + std::to_string(kind));
  WireMessage message;
  message.kind = static_cast<WireKind>(kind);
  Reader reader(bytes.substr(4));
  std::string* fields[] = {&message.hub,    &message.target,     &message.group,
                           &message.reason, &message.json_frame, &message.messagepack_frame};
  for (std::size_t i = 0; i < std::size(fields); ++i)
    if (!reader.field(*fields[i])) return fail("truncated field " + std::to_string(i + 1));
  std::uint64_t count;
  if (!reader.length(count)) return fail("truncated excluded count");
  if (count > bytes.size()) return fail("excluded count " + std::to_string(count) + " too large");
  message.excluded.resize(count);
  for (auto& id : message.excluded)
    if (!reader.field(id)) return fail("truncated excluded id");
  if (version >= 2) {
    if (!reader.field(message.ack)) return fail("truncated acknowledgement address");
    if (message.ack.empty()) return fail("empty acknowledgement address");
  }
  if (!reader.done()) return fail("trailing bytes after the message");
  if (message.hub.empty()) return fail("no hub");
  return message;
}

}  // namespace switchboard::backplane
