// Precompiled header for the Beast/Asio-heavy translation units of the server library.
#pragma once

#include <utility>  // before Asio's coroutine headers (g++ 12 + Boost 1.74)

#include <spdlog/spdlog.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
