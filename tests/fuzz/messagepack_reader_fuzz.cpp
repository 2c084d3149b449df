// Feeds protocol/messagepack_reader (the bounded MessagePack reader every MessagePack parser
// stands on) arbitrary bytes: values are skipped whole one after another, and walked header by
// header. The reader never moves past the end, always moves forward, and a value it skipped
// whole is walked the same way.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.hpp"
#include "protocol/messagepack_reader.hpp"

namespace msgpack = switchboard::protocol::msgpack;

namespace {

// Walks one value header by header (as the message parser reads the fields it knows).
msgpack::ReadError walk(msgpack::Reader& reader, int depth) {
  msgpack::Value value;
  std::size_t before = reader.position();
  if (auto error = reader.read(value); error != msgpack::ReadError::None) return error;
  FUZZ_CHECK(reader.position() > before, "a header takes at least one byte");
  if (value.kind != msgpack::Kind::Array && value.kind != msgpack::Kind::Map)
    return msgpack::ReadError::None;
  if (depth >= msgpack::kMaxDepth) return reader.skip_elements(value, depth + 1);
  std::uint64_t items = value.kind == msgpack::Kind::Map ? 2ull * value.count : value.count;
  FUZZ_CHECK(items <= reader.remaining(), "a count is never above the remaining bytes");
  for (std::uint64_t i = 0; i < items; ++i)
    if (auto error = walk(reader, depth + 1); error != msgpack::ReadError::None) return error;
  return msgpack::ReadError::None;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  msgpack::Reader skipper(bytes);
  while (skipper.remaining() > 0) {
    std::size_t before = skipper.position();
    auto error = skipper.skip(0);
    FUZZ_CHECK(skipper.position() <= size, "never past the end");
    if (error != msgpack::ReadError::None) {
      FUZZ_CHECK(!msgpack::describe(error).empty(), "an error is described");
      break;
    }
    FUZZ_CHECK(skipper.position() > before, "a skipped value takes at least one byte");
    // The same value walked header by header ends at the same place.
    msgpack::Reader walker(bytes.substr(before, skipper.position() - before));
    auto walked = walk(walker, 0);
    FUZZ_CHECK(walked == msgpack::ReadError::None || walked == msgpack::ReadError::TooDeep,
               "a value that skips whole is walked whole");
    if (walked == msgpack::ReadError::None)
      FUZZ_CHECK(walker.remaining() == 0, "walking ends where skipping ended");
  }
  return 0;
}
