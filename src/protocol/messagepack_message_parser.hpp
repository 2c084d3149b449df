// Parsing of one MessagePack hub message (wire reference §3): the record's structure is validated
// whole by the bounded reader first, then the fields are read and type-checked.
#pragma once

#include <string_view>

#include "protocol/json_hub_protocol.hpp"  // ParsedMessage

namespace switchboard::protocol {

// Parses one record (the MessagePack array, without the prefix). Errors are precise strings:
// "Invalid MessagePack: truncated" (also for a length or count above the remaining bytes),
// "Invalid MessagePack: nested deeper than 64 levels", "Message is not an array",
// "Message type must be an integer", "Invocation: 'target' must be a string",
// "Completion: invalid result kind 7", "Close: expected at least 2 elements, got 1", ... Elements
// past the known ones are ignored (as .NET does). Strings of the protocol (headers, ids, target,
// stream ids, errors) must be valid UTF-8; payloads are not inspected beyond their structure.
// Ids required by StreamInvocation, StreamItem, Completion and CancelInvocation must be non-empty
// strings. For every parsed message arguments_json is MessagePack (0x90 when not an invocation).
// Fills HubMessage like the JSON parser does, except that payloads stay MessagePack:
// arguments_json, item_json and result_json hold the raw MessagePack bytes of the arguments array /
// item / result (the caller knows the protocol). Unknown message types give no message and no
// error. Accepts Invocation and StreamInvocation of 5 or 6 elements, Close of 2 or 3, any integer
// width for type/kind/ids, nil or "" invocation ids as absent.
ParsedMessage parse_messagepack_message(std::string_view record);

}  // namespace switchboard::protocol
