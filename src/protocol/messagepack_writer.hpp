// MessagePack writing: appends values to a byte string in their smallest encoding (what
// MessagePack-CSharp and @msgpack/msgpack write), so that what the service sends looks like what
// the official clients and servers send.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace switchboard::protocol::msgpack {

void write_nil(std::string& out);
void write_bool(std::string& out, bool value);
void write_uint(std::string& out, std::uint64_t value);
// Non-negative values as unsigned, negative ones as negative fixint or int8..64.
void write_int(std::string& out, std::int64_t value);
void write_float64(std::string& out, double value);
// fixstr / str8 / str16 / str32 (the caller checks the text is UTF-8 where that matters).
void write_str(std::string& out, std::string_view text);
void write_array_header(std::string& out, std::size_t count);
void write_map_header(std::string& out, std::size_t count);
// An optional string (invocation id, Close error): nil when empty.
void write_str_or_nil(std::string& out, std::string_view text);

}  // namespace switchboard::protocol::msgpack
