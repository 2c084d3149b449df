#!/usr/bin/env python3
"""Sums `perf report --sort dso,sym --stdio` lines (read from stdin) into the parts of a connection's
set-up they belong to, by shared object and symbol name: the kernel, malloc/free, the token check
(JWT, base64, simdjson, OpenSSL, the JSON tree, the verified-token cache), the connection maps (hash
tables keyed by connection id), Asio/Beast's machinery, the rest of Switchboard, the rest.
Used by bench/profile_storm.sh; the rules are name patterns, so a share is a close estimate."""
import re
import sys

ORDER = ["kernel", "malloc/free", "token check", "connection maps", "Asio/Beast machinery",
         "other Switchboard code", "other libc (memcpy, memchr, locks)", "other"]
TOKEN = re.compile(r"auth::|nlohmann|verify_cached|VerifiedToken|jwt|authenticate|audience|base64")
totals = dict.fromkeys(ORDER, 0.0)
for line in sys.stdin:
    m = re.match(r"\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)", line)
    if not m:
        continue
    share, dso, sym = float(m.group(1)), m.group(2), m.group(4)
    if dso.startswith("[kernel"):
        part = "kernel"
    elif dso.startswith("libc"):
        part = "malloc/free" if re.search(r"malloc|free|unlink_chunk|consolidate|tcache", sym) \
            else "other libc (memcpy, memchr, locks)"
    elif "libcrypto" in dso or "simdjson" in dso or TOKEN.search(sym):
        part = "token check"
    elif re.search(r"_Hashtable|_Map_base|_Hash_bytes", sym):
        part = "connection maps"
    elif dso == "switchboard" and re.match(r"(void )?boost::(asio|beast)", sym):
        part = "Asio/Beast machinery"
    elif dso == "switchboard":
        part = "other Switchboard code"
    elif "libstdc++" in dso and re.search(r"operator new|operator delete", sym):
        part = "malloc/free"
    else:
        part = "other"
    totals[part] += share
for part in ORDER:
    print(f"{totals[part]:6.1f} %  {part}")
