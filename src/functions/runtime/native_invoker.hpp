// Runs functions written in C++ against the public API (include/switchboard/functions.hpp).
#pragma once

#include <map>
#include <switchboard/functions.hpp>

#include "functions/runtime/invoker.hpp"

namespace switchboard::functions {

class NativeInvoker final : public Invoker {
 public:
  explicit NativeInvoker(const FunctionRegistry& registry) : registry_(registry) {}
  bool has(const std::string& function_name) const;
  boost::asio::awaitable<InvocationResult> invoke(Invocation& invocation) override;

 private:
  const FunctionRegistry& registry_;
};

}  // namespace switchboard::functions
