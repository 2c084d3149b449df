// The MessagePack hub protocol, whole: record framing, message parsing and encoding, and the
// conversion of payloads between JSON and MessagePack. Each part has its own header; include the
// one you need (this one is for the code that speaks the whole protocol).
#pragma once

#include "protocol/messagepack_framing.hpp"
#include "protocol/messagepack_json.hpp"
#include "protocol/messagepack_message_encoder.hpp"
#include "protocol/messagepack_message_parser.hpp"
