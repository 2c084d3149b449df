// The command line of `switchboard` (and of C++ function apps built on the library).
#pragma once

#include <switchboard/functions.hpp>

namespace switchboard::cli {

// Parses and runs a command; `registry` adds C++ functions to the app of `start`/`functions`.
int run(int argc, char** argv, const FunctionRegistry* registry);

}  // namespace switchboard::cli
