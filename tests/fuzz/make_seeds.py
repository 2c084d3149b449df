#!/usr/bin/env python3
"""Writes the seed inputs of the fuzz targets into tests/fuzz/corpus/<target>/ (docs/fuzzing.md).

Each seed is what the real peer sends, in the protocol's own layout (the official SignalR clients'
JSON and MessagePack records, masked WebSocket frames as browsers send them, tokens as the service
mints them...). Run it after changing a seed; files it does not name (inputs kept from fuzzing,
crash reproducers) are left alone.
"""
import base64
import hashlib
import hmac
import json
import os
import struct
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
RS = b"\x1e"


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


# --- MessagePack, smallest forms (as MessagePack-CSharp and @msgpack/msgpack write) ---
def mp(value):
    if value is None:
        return b"\xc0"
    if value is True:
        return b"\xc3"
    if value is False:
        return b"\xc2"
    if isinstance(value, int):
        if 0 <= value <= 0x7F:
            return bytes([value])
        if -32 <= value < 0:
            return struct.pack("b", value)
        if 0 <= value <= 0xFF:
            return b"\xcc" + bytes([value])
        if 0 <= value <= 0xFFFF:
            return b"\xcd" + struct.pack(">H", value)
        if 0 <= value <= 0xFFFFFFFF:
            return b"\xce" + struct.pack(">I", value)
        if value >= 0:
            return b"\xcf" + struct.pack(">Q", value)
        if value >= -128:
            return b"\xd0" + struct.pack(">b", value)
        if value >= -32768:
            return b"\xd1" + struct.pack(">h", value)
        if value >= -(2**31):
            return b"\xd2" + struct.pack(">i", value)
        return b"\xd3" + struct.pack(">q", value)
    if isinstance(value, float):
        return b"\xcb" + struct.pack(">d", value)
    if isinstance(value, str):
        raw = value.encode()
        if len(raw) < 32:
            return bytes([0xA0 | len(raw)]) + raw
        if len(raw) < 256:
            return b"\xd9" + bytes([len(raw)]) + raw
        return b"\xda" + struct.pack(">H", len(raw)) + raw
    if isinstance(value, bytes):
        return b"\xc4" + bytes([len(value)]) + value
    if isinstance(value, Ext):
        return value.encode()
    if isinstance(value, list):
        head = bytes([0x90 | len(value)]) if len(value) < 16 else b"\xdc" + struct.pack(">H", len(value))
        return head + b"".join(mp(v) for v in value)
    if isinstance(value, dict):
        head = bytes([0x80 | len(value)]) if len(value) < 16 else b"\xde" + struct.pack(">H", len(value))
        return head + b"".join(mp(k) + mp(v) for k, v in value.items())
    raise TypeError(value)


class Ext:
    def __init__(self, type_, data):
        self.type, self.data = type_, data

    def encode(self):
        sizes = {1: 0xD4, 2: 0xD5, 4: 0xD6, 8: 0xD7, 16: 0xD8}
        t = struct.pack("b", self.type)
        if len(self.data) in sizes:
            return bytes([sizes[len(self.data)]]) + t + self.data
        return b"\xc7" + bytes([len(self.data)]) + t + self.data


def varint(n):
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def framed(value):
    body = mp(value)
    return varint(len(body)) + body


# --- the hub messages the official clients send (SignalR hub protocol) ---
JSON_MESSAGES = {
    "invocation": {"type": 1, "invocationId": "0", "target": "send", "arguments": ["alice", "hello"]},
    "send-no-id": {"type": 1, "target": "broadcast", "arguments": [{"text": "hi", "n": 1.5}, None, True]},
    "stream-invocation": {"type": 4, "invocationId": "1", "target": "counter", "arguments": [10, 500], "streamIds": []},
    "upload": {"type": 1, "invocationId": "2", "target": "upload", "arguments": [], "streamIds": ["3"]},
    "stream-item": {"type": 2, "invocationId": "3", "item": {"x": [1, 2]}},
    "completion-result": {"type": 3, "invocationId": "4", "result": 42},
    "completion-error": {"type": 3, "invocationId": "5", "error": "boom"},
    "completion-void": {"type": 3, "invocationId": "6"},
    "cancel": {"type": 5, "invocationId": "1"},
    "ping": {"type": 6},
    "close": {"type": 7, "error": "bye", "allowReconnect": True},
    "ack": {"type": 8, "sequenceId": 12},
    "sequence": {"type": 9, "sequenceId": 1},
    "headers": {"type": 1, "headers": {"a": "b"}, "target": "t", "arguments": ["\u00e9\u4e2d\U0001f600"]},
}


def json_record(message):
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode() + RS


def messagepack_message(message):
    t = message["type"]
    headers = message.get("headers", {})
    if t in (1, 4):
        return [t, headers, message.get("invocationId"), message["target"], message["arguments"], message.get("streamIds", [])]
    if t == 2:
        return [t, headers, message["invocationId"], message["item"]]
    if t == 3:
        if "error" in message:
            return [t, headers, message["invocationId"], 1, message["error"]]
        if "result" in message:
            return [t, headers, message["invocationId"], 3, message["result"]]
        return [t, headers, message["invocationId"], 2]
    if t == 5:
        return [t, headers, message["invocationId"]]
    if t == 6:
        return [t]
    if t == 7:
        return [t, message.get("error"), message.get("allowReconnect", False)]
    return [t, message["sequenceId"]]


def websocket_frame(opcode, payload, fin=True, mask=b"\x37\xfa\x21\x3d"):
    first = (0x80 if fin else 0) | opcode
    n = len(payload)
    if n < 126:
        head = bytes([first, 0x80 | n])
    elif n < 65536:
        head = bytes([first, 0x80 | 126]) + struct.pack(">H", n)
    else:
        head = bytes([first, 0x80 | 127]) + struct.pack(">Q", n)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def hub_seeds():
    handshake_json = b'{"protocol":"json","version":1}' + RS
    handshake_mp = b'{"protocol":"messagepack","version":1}' + RS
    every_json = b"".join(json_record(m) for m in JSON_MESSAGES.values())
    every_mp = b"".join(framed(messagepack_message(m)) for m in JSON_MESSAGES.values())
    for name, message in JSON_MESSAGES.items():
        write("json_hub_protocol", name, json_record(message))
        write("messagepack_message_parser", name, mp(messagepack_message(message)))
    write("json_hub_protocol", "handshake", handshake_json)
    write("json_hub_protocol", "handshake-v2", b'{"protocol":"json","version":2}' + RS)
    write("json_hub_protocol", "every-message", every_json)
    write("messagepack_message_parser", "invocation-5-elements", mp([1, {}, "7", "send", ["x"]]))
    write("messagepack_message_parser", "close-2-elements", mp([7, None]))
    write("messagepack_message_parser", "timestamp-argument", mp([1, {}, None, "t", [Ext(-1, struct.pack(">I", 1700000000))]]))
    # hub_stream: what a client POSTs (long polling, SSE) or sends over its WebSocket.
    write("hub_stream", "json", handshake_json + every_json)
    write("hub_stream", "messagepack", handshake_mp + every_mp)
    write("hub_stream", "json-stateful", b'{"protocol":"json","version":2}' + RS + json_record({"type": 9, "sequenceId": 1}))
    write("hub_stream", "unknown-protocol", b'{"protocol":"xml","version":1}' + RS)
    write("messagepack_framing", "every-message", every_mp)
    write("messagepack_framing", "long-record", framed(["x" * 300]))
    write("messagepack_framing", "ping", b"\x02\x91\x06")
    # WebSocket frames as a browser sends them (masked).
    ws = "websocket_frame"
    write(ws, "text", websocket_frame(1, handshake_json + json_record(JSON_MESSAGES["invocation"])))
    write(ws, "binary", websocket_frame(2, every_mp))
    write(ws, "fragmented", websocket_frame(1, b"{\"type\":", fin=False) + websocket_frame(9, b"ping") + websocket_frame(0, b"6}\x1e"))
    write(ws, "utf8-split", websocket_frame(1, "\u00e9".encode()[:1], fin=False) + websocket_frame(0, "\u00e9".encode()[1:]))
    write(ws, "close", websocket_frame(8, struct.pack(">H", 1000) + b"bye"))
    write(ws, "pong", websocket_frame(10, b""))
    write(ws, "medium", websocket_frame(2, bytes(range(256)) * 2))
    write("websocket_handshake", "rfc6455", "13\ndGhlIHNhbXBsZSBub25jZQ==")
    write("websocket_handshake", "version-8", "8\ndGhlIHNhbXBsZSBub25jZQ==")
    # MessagePack values of every kind.
    for name, value in {
        "map": {"a": 1, "b": [True, False, None], "c": -5, "d": 1.25},
        "ints": [0, 127, 128, 255, 65535, 2**32 - 1, 2**32, 2**64 - 1, -1, -32, -33, -129, -32769, -(2**31) - 1, -(2**63)],
        "strings": ["", "x" * 40, "\u00e9\U0001f600", "y" * 300],
        "bin": b"\x00\x01\xff",
        "timestamp32": Ext(-1, struct.pack(">I", 1700000000)),
        "timestamp64": Ext(-1, struct.pack(">Q", (123456789 << 34) | 1700000000)),
        "timestamp96": Ext(-1, struct.pack(">Iq", 5, -62135596800)),
        "ext": Ext(7, b"abc"),
    }.items():
        write("messagepack_json", name, mp(value))
        write("messagepack_reader", name, mp(value))
    write("messagepack_json", "json-object", '{"a":[1,2.5,-3,"x",null,true],"b":{"c":1e300}}')
    write("messagepack_json", "json-unicode", '["\\u00e9\\ud83d\\ude00", 18446744073709551615, -9223372036854775808]')
    write("messagepack_reader", "float32", b"\xca" + struct.pack(">f", 1.5))
    write("messagepack_reader", "nested", b"\x91" * 70 + b"\xc0")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hs256_token(header, claims, key):
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    signature = hmac.new(key.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64url(signature)


def rs256_token(header, claims):
    import re
    import subprocess
    import tempfile

    source = open(os.path.join(os.path.dirname(ROOT), "identity_key.hpp")).read()
    private_key = re.search(r'kIdentityPrivateKey = R"PEM\((.*?)\)PEM"', source, re.S).group(1)
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    with tempfile.NamedTemporaryFile("w", suffix=".pem") as key_file:
        key_file.write(private_key.strip() + "\n")
        key_file.flush()
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key_file.name],
                                   input=signing_input.encode(), capture_output=True, check=True).stdout
    return signing_input + "." + b64url(signature)


def token_seeds():
    now = 1700000000
    key = "second-access-key-abcdef"  # rest_token_fuzz.cpp's kKeys[1]
    client = {"aud": "http://localhost/client/?hub=chat", "iat": now, "nbf": now, "exp": now + 3600, "asrs.s.uid": "alice"}
    rest = {"aud": "http://localhost/api/hubs/chat", "iat": now, "nbf": now, "exp": now + 3600}
    hs = {"alg": "HS256", "typ": "JWT"}
    write("rest_token", "client-token", "T" + hs256_token(hs, client, key))
    write("rest_token", "rest-token", "T" + hs256_token(hs, rest, key))
    write("rest_token", "expired", "T" + hs256_token(hs, dict(client, exp=now - 1000), key))
    write("rest_token", "alg-none", "T" + b64url(b'{"alg":"none"}') + "." + b64url(json.dumps(client).encode()) + ".")
    write("rest_token", "signed-claims", "S" + json.dumps(hs) + "\n" + json.dumps(dict(client, role=["a", "b"], n=1.5)) + "\nhttp://localhost/client/?hub=chat")
    write("rest_token", "signed-audiences", "S" + json.dumps(hs) + "\n" + json.dumps(dict(client, aud=["http://x/", "https://LOCALHOST:443/client?hub=CHAT"])) + "\nhttp://localhost/client/?hub=chat")
    identity = {"iss": "https://issuer.example", "aud": "switchboard-app", "sub": "u-1", "name": "Ann", "exp": now + 600, "nbf": now - 10}
    write("identity_token", "hs256", "T" + hs256_token(hs, identity, "identity-secret-for-fuzzing"))
    write("identity_token", "rs256", "T" + rs256_token({"alg": "RS256", "typ": "JWT", "kid": "k1"}, identity))
    write("identity_token", "sign-hs256", "H" + json.dumps(hs) + "\n" + json.dumps(identity))
    write("identity_token", "sign-rs256", "R" + json.dumps({"alg": "RS256"}) + "\n" + json.dumps(dict(identity, aud=["x", "switchboard-app"], sub=None, oid=7)))
    write("connection_token", "v1", "chat\nalice\nr3JjTJf6TXkLQ0gEjrHfLwAAAABTAAAAAAAAAAA")
    write("connection_token", "anonymous", "chat\n\n")
    # negotiate: the official client's request targets.
    write("negotiate", "v1", "/client/negotiate?hub=chat&negotiateVersion=1")
    write("negotiate", "v0-token", "/client/negotiate?hub=chat&access_token=" + hs256_token(hs, client, key))
    write("negotiate", "stateful", "/client/negotiate?hub=Chat&negotiateVersion=1&useStatefulReconnect=true")
    write("negotiate", "bad-version", "/client/negotiate?hub=chat&negotiateVersion=%2Bx")


def rest_seeds():
    for name, target in {
        "broadcast": "POST /api/hubs/chat/:send?api-version=2022-06-01",
        "v1-user": "POST /api/v1/hubs/chat/users/alice",
        "group-excluded": "POST /api/hubs/chat/groups/room%201/:send?api-version=2022-06-01&excluded=c1&excluded=c2",
        "add-user-ttl": "PUT /api/hubs/chat/groups/g1/users/u1?api-version=2022-06-01&ttl=60",
        "user-in-group": "HEAD /api/hubs/chat/users/u1/groups/g1",
        "remove-connection": "DELETE /api/hubs/chat/groups/g1/connections/c1",
        "close-all": "POST /api/hubs/chat/:closeConnections?excluded=a&reason=bye",
        "application": "POST /api/hubs/chat/:send?application=app1",
        "health": "GET /api/health",
    }.items():
        write("rest_route", name, target)
    write("rest_payload", "send", '{"target":"newMessage","arguments":["hello",{"a":1}]}')
    write("rest_payload", "sdk-case", '{"Target":"newMessage","Arguments":[1.5e3,null,true,[]]}')
    write("rest_payload", "no-arguments", '{"target":"ping"}')
    invocation_json = json_record({"type": 1, "target": "newMessage", "arguments": ["hello"]})
    invocation_mp = framed([1, {}, None, "newMessage", ["hello", 1]])
    write("rest_binary", "both", mp({"json": invocation_json, "messagepack": invocation_mp}))
    write("rest_binary", "messagepack-only", mp({"messagepack": invocation_mp}))
    write("rest_binary", "json-only", mp({"json": invocation_json}))
    # whole_request: two bytes of limits (header 64 + 8*b0, body 4*b1), then the bytes of requests
    # as REST clients and browsers write them (pipelined, cut short, folded, chunked).
    limits = bytes([255, 255])
    body = b'{"target":"newMessage","arguments":["hello"]}'
    send = (b"POST /api/v1/hubs/chat/users/u1?api-version=2022-06-01 HTTP/1.1\r\nHost: 127.0.0.1:8080"
            b"\r\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    write("whole_request", "rest-send", limits + send)
    write("whole_request", "pipelined", limits + send + send)
    write("whole_request", "cut-short", limits + send[:-3])
    write("whole_request", "small-limits", bytes([8, 4]) + send)
    write("whole_request", "upgrade", limits + b"GET /client/?hub=chat HTTP/1.1\r\nHost: a\r\n"
          b"Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
          b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
    write("whole_request", "folded", limits + b"GET / HTTP/1.1\r\nX-A: a\r\n\tb\r\n\r\n")
    write("whole_request", "chunked", limits + b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
          b"\r\n5\r\nhello\r\n0\r\n\r\n")
    write("whole_request", "http10", limits + b"GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")


def leb128(n):
    out = b""
    while n >= 0x80:
        out += bytes([(n & 0x7F) | 0x80])
        n >>= 7
    return out + bytes([n])


def wire(kind, hub=b"", target=b"", group=b"", reason=b"", json_frame=b"", messagepack_frame=b"", excluded=(), ack=b""):
    out = (b"SB\x02" if ack else b"SB\x01") + bytes([kind])
    for field in (hub, target, group, reason, json_frame, messagepack_frame):
        out += leb128(len(field)) + field
    out += leb128(len(excluded))
    for e in excluded:
        out += leb128(len(e)) + e
    if ack:
        out += leb128(len(ack)) + ack
    return out


def app_file_seeds():
    repo = os.path.dirname(os.path.dirname(os.path.dirname(ROOT)))
    for top in ("examples", os.path.join("tests", "apps")):
        for folder, _, files in os.walk(os.path.join(repo, top)):
            if "node_modules" in folder:
                continue
            name = os.path.relpath(folder, repo).replace(os.sep, "-")
            for file, target in (("function.json", "function_json"), ("host.json", "host_json"), ("local.settings.json", "local_settings")):
                if file in files:
                    write(target, name, open(os.path.join(folder, file), "rb").read())
    write("host_json", "custom-handler-every-field", json.dumps({"version": "2.0", "extensions": {"http": {"routePrefix": ""}}, "functionTimeout": "00:00:30",
        "customHandler": {"description": {"defaultExecutablePath": "%HANDLER%", "workingDirectory": "bin", "arguments": ["%PORT_ARG%", "7"]}, "enableForwardingHttpRequest": True}}))
    write("host_json", "bom-comments", "\ufeff// comment\n{\"version\": \"2.0\", /* c */ \"functionTimeout\": \"01:02:03.5\"}")
    write("local_settings", "every-field", json.dumps({"IsEncrypted": False, "Values": {"A": "1", "HUB": "chat"}, "ConnectionStrings": {"AzureSignalRConnectionString": "Endpoint=http://localhost;Port=8888;AccessKey=k;Version=1.0;"},
        "Host": {"LocalHttpPort": 7071, "CORS": "http://a,http://b", "CORSCredentials": True}}))
    write("function_json", "trigger-with-parameters", json.dumps({"bindings": [{"type": "signalRTrigger", "name": "invocation", "direction": "in", "hubName": "%HUB%", "category": "messages", "event": "send", "parameterNames": ["a", "b"]},
        {"type": "signalR", "name": "$return", "direction": "out", "hubName": "chat"}]}))
    write("function_json", "route-constraints", json.dumps({"bindings": [{"type": "httpTrigger", "name": "req", "direction": "in", "authLevel": "anonymous", "methods": ["get", "POST"], "route": "items/{id:int:range(1,99)}/{rest?}"},
        {"type": "http", "name": "res", "direction": "out"}, {"type": "signalRConnectionInfo", "name": "info", "direction": "in", "hubName": "{query.hub}", "userId": "{headers.x-ms-client-principal-id}"}]}))
    for name, text in {
        "principal": "{headers.x-ms-client-principal-id}\n\n\n",
        "query-and-literal": "room-{query.id}-{sys.randguid}\n\n\n42",
        "body-member": "{userId}\n{\"userId\":\"u1\",\"n\":2}\n\n",
        "route-and-setting": "%HUB_NAME%/{room}/{sys.utcnow}\n\n\n",
        "missing": "{headers.absent}\n\n\n",
    }.items():
        write("binding_expression", name, text)
    for name, text in {
        "int-optional": "products/{category:alpha}/{id:int?}\nproducts/shoes/7",
        "catch-all": "files/{*path}\nfiles/a/b%2Fc",
        "default": "{lang=en}/page/{n:range(1,10)}\nde/page/3",
        "constraints": "x/{a:minlength(2):maxlength(4)}/{b:guid}/{c:datetime}/{d:bool}/{e:decimal}\nx/abc/6f9619ff-8b86-d011-b42d-00cf4fc964ff/2020-01-01/true/1.5",
        "length": "{a:length(3)}/{b:length(1,2)}/{c:long}/{d:double}/{e:float}/{f:min(1)}/{g:max(9)}\nabc/x/12/1e3/2.5/4/5",
    }.items():
        write("route_template", name, text)


def service_seeds():
    for name, text in {
        "local": "Endpoint=http://localhost;Port=8888;AccessKey=my-secret-key;Version=1.0;",
        "azure": "Endpoint=https://demo.service.signalr.net;AccessKey=ABCDEFGH12345678abcdefgh==;Version=1.0;",
        "client-endpoint": "Endpoint=https://h/signalr/;AccessKey=k;Port=8443;ClientEndpoint=https://c.example/;ServerEndpoint=http://s:9/;AuthType=aad",
        "ipv6": "Endpoint=http://[::1]:8080;AccessKey=abc==def=;Version=1.0",
    }.items():
        write("connection_string", name, text)
    for name, text in {
        "plain": "redis://127.0.0.1:6379",
        "password-db": "redis://:s%40cret@redis.local:6380/2",
        "user": "redis://alice:pw@[::1]/0",
    }.items():
        write("redis_url", name, text)
    json_frame = json_record({"type": 1, "target": "newMessage", "arguments": ["hi"]})
    mp_frame = framed([1, {}, None, "newMessage", ["hi"]])
    write("wire_message", "send-all", wire(1, b"chat", json_frame=json_frame, messagepack_frame=mp_frame, excluded=[b"c1", b"c2"]))
    write("wire_message", "send-group", wire(3, b"chat", b"room", json_frame=json_frame, messagepack_frame=mp_frame))
    write("wire_message", "join", wire(5, b"chat", b"conn-1", b"room"))
    write("wire_message", "close-user", wire(14, b"chat", b"alice", reason=b"bye", excluded=[b"c3"]))
    write("wire_message", "join-acked", wire(5, b"chat", b"conn-1", b"room", ack=b"node-a\x0017"))
    write("wire_message", "ack", wire(15, b"chat", b"17"))
    write("upstream_settings", "array", json.dumps([{"urlTemplate": "http://localhost:7071/runtime/webhooks/signalr?code=k", "hubPattern": "chat, lobby", "categoryPattern": "*", "eventPattern": "connect,connected,disconnected"}]))
    write("upstream_settings", "emulator", json.dumps({"UpstreamSettings": {"Templates": [{"UrlTemplate": "http://h/{hub}/api/{category}/{event}", "EventPattern": "*"}]}}))
    write("upstream_settings", "arm", json.dumps({"upstream": {"templates": [{"urlTemplate": "https://f.example/x/{event}", "auth": {"type": "None"}}]}}))
    for name, text in {
        "json-completion": b"200\n" + json_record({"type": 3, "invocationId": "42", "result": {"a": 1}}),
        "json-error": b"200\n" + json_record({"type": 3, "invocationId": "42", "error": "nope"}),
        "messagepack-completion": b"200\n" + framed([3, {}, "42", 3, 1]),
        "no-content": b"204\n",
        "server-error": b"500\nsomething broke",
        "unauthorized": b"401\n",
    }.items():
        write("upstream_answer", name, text)
    invocation = json_record({"type": 1, "invocationId": "1", "target": "send", "arguments": ["hi", 2]})
    for name, text in {
        "json": b"application/json; charset=utf-8\n?hub=chat&id=1\nname: Ann, role: admin\n" + invocation,
        "messagepack": b"application/x-msgpack\nhub=chat&access_token=x\n\n" + mp([1, {}, "1", "send", ["hi", Ext(-1, struct.pack(">I", 1700000000))]]),
        "disconnected": b"application/json\n\n\n" + json_record({"type": 11, "error": "gone"}),
    }.items():
        write("webhook_body", name, text)
    for name, text in {
        "http-and-signalr": "200\n" + json.dumps({"Outputs": {"res": {"statusCode": 201, "headers": {"X-A": "b"}, "body": {"ok": True}},
            "signalRMessages": [{"target": "newMessage", "arguments": ["hi"], "userId": "u1"}, {"action": "add", "groupName": "g", "connectionId": "c"}]}, "Logs": ["started", 7], "ReturnValue": None}),
        "return-value": "200\n" + json.dumps({"ReturnValue": {"body": "aGVsbG8=", "bodyEncoding": "base64", "status": "202"}}),
        "string-output": "200\n" + json.dumps({"Outputs": {"signalR": json.dumps({"target": "t", "arguments": []})}}),
        "worker-failure": "500\n" + json.dumps({"error": "TypeError: boom", "message": "boom", "Logs": ["x"]}),
        "handler-failure": "502\nbad gateway",
    }.items():
        write("handler_answer", name, text)


SEEDS = [hub_seeds, token_seeds, rest_seeds, app_file_seeds, service_seeds]

if __name__ == "__main__":
    for make in SEEDS:
        make()
    sys.exit(0)
