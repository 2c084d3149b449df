// See unread_bytes.hpp.
#include "net/unread_bytes.hpp"

#include <sys/ioctl.h>

namespace switchboard::net {

std::size_t unread_bytes(int fd) {
  int count = 0;
  if (fd < 0 || ::ioctl(fd, FIONREAD, &count) != 0 || count < 0) return 0;
  return static_cast<std::size_t>(count);
}

}  // namespace switchboard::net
