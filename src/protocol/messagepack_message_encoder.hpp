// Encoding of MessagePack hub messages (wire reference §3), each as a complete record with its
// VarInt length prefix, in the layout the official clients read.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/hub_message.hpp"

namespace switchboard::protocol {

// Encoders: every result is a complete record WITH its VarInt prefix.
// `arguments_msgpack` is a MessagePack array (e.g. from json_to_messagepack("[...]")).
std::string encode_messagepack_invocation(std::string_view target,
                                          std::string_view arguments_msgpack,
                                          std::string_view invocation_id = {});
// The same record appended to `out` (e.g. behind room kept for a frame header).
void append_messagepack_invocation(std::string& out, std::string_view target,
                                   std::string_view arguments_msgpack,
                                   std::string_view invocation_id = {});
std::string encode_messagepack_completion_error(std::string_view invocation_id,
                                                std::string_view error);
std::string encode_messagepack_completion_void(std::string_view invocation_id);
// `result_msgpack`: one MessagePack value.
std::string encode_messagepack_completion_result(std::string_view invocation_id,
                                                 std::string_view result_msgpack);
std::string encode_messagepack_close(std::string_view error = {}, bool allow_reconnect = false);
std::string encode_messagepack_ack(std::int64_t sequence_id);
std::string encode_messagepack_sequence(std::int64_t sequence_id);
std::string_view messagepack_ping_frame();  // 02 91 06
// Any message, payload fields holding MessagePack (empty, or the struct's JSON default "[]" for
// arguments_json, give an empty array / nil). Invocations are written with 6 elements.
std::string encode_messagepack_message(const HubMessage& message);

}  // namespace switchboard::protocol
