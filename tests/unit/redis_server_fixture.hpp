// A real redis-server for the Redis client tests: started on a free loopback port (no
// persistence, not daemonized, optional --requirepass), and stopped, killed, paused, resumed or
// restarted on the same port at will. The destructor always stops it (SIGTERM, then SIGKILL).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>

namespace switchboard::testing {

class RedisServer {
 public:
  explicit RedisServer(std::string password = {});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Whether a redis-server executable is on PATH (tests skip without one).
  static bool available();

  void start();   // on port(); returns once it accepts connections (throws after 5 s)
  void stop();    // SIGTERM, then SIGKILL after 5 s
  void kill();    // SIGKILL, reaped
  void pause();   // SIGSTOP
  void resume();  // SIGCONT
  void restart() { start(); }

  unsigned short port() const { return port_; }
  std::string url(int db = 0) const;  // redis://[:password@]127.0.0.1:port[/db]

 private:
  std::string password_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
  bool paused_ = false;
  std::string log_path_;
};

// Polls `condition` every 5 ms until it holds or `limit` passed; returns its last value.
bool wait_for(const std::function<bool()>& condition,
              std::chrono::milliseconds limit = std::chrono::seconds(5));

// A loopback port nothing listens on now.
unsigned short free_loopback_port();

}  // namespace switchboard::testing
