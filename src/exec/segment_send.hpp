// One non-blocking write of a segment list with the cheapest system call for it: send() for one
// segment, or for a few small ones copied together (a WebSocket frame's header and its message),
// sendmsg() otherwise. On loopback TCP here sendmsg() costs ≈ 0.4 µs more than send() per call
// (it copies the message header and the segment list in), io_uring's SENDMSG ≈ 0.75 µs more
// (docs/benchmarks.md, "The REST send's system calls").
#pragma once

#include <sys/uio.h>

#include <cstddef>

namespace switchboard::exec {

// Segments of at most this many bytes together are copied into one buffer and go out with send().
inline constexpr std::size_t kCoalesceUpTo = 2048;

// Writes what the socket takes of segments[0..count) now (MSG_DONTWAIT | MSG_NOSIGNAL): the bytes
// written, from the first segment on, or -errno (-EAGAIN: the socket is full; nothing written).
int send_segments(int fd, const iovec* segments, int count);

}  // namespace switchboard::exec
