// The signalRTrigger binding.
#include "functions/config/binding_parsers.hpp"

namespace switchboard::functions::config {

void parse_signalr_trigger(const BindingInput&, FunctionSpec& fn) {
  fn.has_signalr_trigger = true;
}

}  // namespace switchboard::functions::config
