// A segment list's non-blocking write by the cheapest system call: see segment_send.hpp.
#include "exec/segment_send.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace switchboard::exec {

int send_segments(int fd, const iovec* segments, int count) {
  constexpr int kFlags = MSG_DONTWAIT | MSG_NOSIGNAL;
  ssize_t n = 0;
  if (count == 1) {
    n = ::send(fd, segments[0].iov_base, segments[0].iov_len, kFlags);
  } else {
    std::size_t total = 0;
    for (int i = 0; i < count && total <= kCoalesceUpTo; ++i) total += segments[i].iov_len;
    if (total <= kCoalesceUpTo) {
      char joined[kCoalesceUpTo];
      std::size_t at = 0;
      for (int i = 0; i < count; ++i) {
        if (segments[i].iov_len == 0) continue;  // (an empty segment may have no base)
        std::memcpy(joined + at, segments[i].iov_base, segments[i].iov_len);
        at += segments[i].iov_len;
      }
      n = ::send(fd, joined, total, kFlags);
    } else {
      msghdr header{};
      header.msg_iov = const_cast<iovec*>(segments);
      header.msg_iovlen = static_cast<std::size_t>(count);
      n = ::sendmsg(fd, &header, kFlags);
    }
  }
  return n < 0 ? -errno : static_cast<int>(n);
}

}  // namespace switchboard::exec
