// The label of the language that runs a function in the unit tests ("none" when no language does).
#pragma once

#include <string>

#include "functions/languages/language_worker.hpp"

namespace switchboard::functions {

inline std::string label_of(const FunctionSpec& function) {
  const auto* language = language_for(function);
  return language ? language->label() : "none";
}

}  // namespace switchboard::functions
