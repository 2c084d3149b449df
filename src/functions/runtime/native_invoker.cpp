// C++ function invocation: see native_invoker.hpp.
#include "functions/runtime/native_invoker.hpp"

namespace switchboard::functions {

bool NativeInvoker::has(const std::string& function_name) const {
  return registry_.functions().count(function_name) > 0;
}

boost::asio::awaitable<InvocationResult> NativeInvoker::invoke(Invocation& invocation) {
  const auto& functions = registry_.functions();
  auto it = functions.find(invocation.function->name);
  if (it == functions.end() || !it->second.handler())
    throw InvocationError(
        500, "Function '" + invocation.function->name + "' has no C++ handler registered.");
  FunctionContext context(invocation.data, invocation.function->trigger_binding_name(),
                          &invocation.metadata);
  try {
    it->second.handler()(context);
  } catch (const std::exception& e) {
    throw InvocationError(500, std::string("Exception while executing function: ") + e.what(),
                          e.what());
  }
  InvocationResult result;
  result.outputs = context.outputs();
  result.return_value = context.return_value();
  result.logs = context.logs();
  co_return result;
}

}  // namespace switchboard::functions
