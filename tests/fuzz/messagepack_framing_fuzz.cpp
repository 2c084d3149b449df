// Feeds protocol/messagepack_framing's MessagePackRecordReader the byte stream of a MessagePack
// client: VarInt length prefixes and record bodies, read whole and one byte per read. Both reads
// give the same records and verdict, and the records framed again take no more room.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "protocol/messagepack_framing.hpp"

namespace protocol = switchboard::protocol;

namespace {

constexpr std::size_t kMaxRecord = 1024;

struct Outcome {
  std::vector<std::string> records;
  bool ok = true;
};

Outcome read(std::string_view stream, std::size_t piece) {
  protocol::MessagePackRecordReader reader(kMaxRecord);
  Outcome out;
  for (std::size_t at = 0; at < stream.size(); at += piece) {
    if (!reader.append(stream.substr(at, piece))) {
      FUZZ_CHECK(reader.failed() && !reader.next(), "a failed reader yields nothing");
      out.ok = false;
      return out;
    }
    while (auto record = reader.next()) {
      FUZZ_CHECK(record->size() <= kMaxRecord, "no record over the limit");
      out.records.emplace_back(*record);
    }
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view stream(reinterpret_cast<const char*>(data), size);
  Outcome whole = read(stream, size == 0 ? 1 : size);
  Outcome bytewise = read(stream, 1);
  if (whole.ok) {
    FUZZ_CHECK(bytewise.ok, "the verdict does not depend on how reads cut the stream");
    FUZZ_CHECK(bytewise.records == whole.records, "the same records whatever the reads");
    std::string framed;
    for (const auto& record : whole.records) framed += protocol::frame_messagepack_record(record);
    // (A prefix may carry redundant 0x80 groups, so framing again can only make it shorter.)
    FUZZ_CHECK(framed.size() <= size, "records take no more room framed again than they came in");
  } else {
    FUZZ_CHECK(!bytewise.ok, "the verdict does not depend on how reads cut the stream");
  }
  return 0;
}
