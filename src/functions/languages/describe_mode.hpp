// A worker's describe mode: the functions an app declares in its code (Node.js v4 registrations,
// Python v2 decorators), read by running the worker's describe script once before the app is
// loaded. The script (workers/<label>/describe.*) gets a file to write, as JSON, {"functions":
// {name: function.json}} or {"error": "<file>: <what is wrong>"}; its own output is the app's
// (ignored).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "functions/languages/language_worker.hpp"

namespace switchboard::functions {

struct DescribeSpec {
  std::string label;       // "node", "python": names the worker in errors
  std::string executable;  // "node", "python3"
  std::string script;      // the describe script's file name in workers/<label>/
};

// Runs the describe script in the app root and returns its functions. Throws AppError with the
// script's error (naming the file and the function), or with why it could not run.
std::map<std::string, nlohmann::json> run_describe_mode(const DiscoveryContext& context,
                                                        const DescribeSpec& spec);

}  // namespace switchboard::functions
