// How many bytes a socket has received that the process has not read yet (FIONREAD): a connection
// with unread bytes is one the server has not got to, not an idle one.
#pragma once

#include <cstddef>

namespace switchboard::net {

// 0 when none, or when the descriptor cannot tell.
std::size_t unread_bytes(int fd);

}  // namespace switchboard::net
