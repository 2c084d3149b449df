// Function and master keys for authLevel function/admin, kept in
// APP_DIR/.switchboard/host-keys.json (created with random keys on first start) so they survive
// restarts.
#pragma once

#include <filesystem>
#include <string>

namespace switchboard::functions {

struct HostKeys {
  std::string master_key;
  std::string function_key;    // the "default" function key
  std::filesystem::path file;  // where they are kept; empty when they could not be saved

  // Loads the keys file, or creates it. Never throws: an unwritable app keeps in-memory keys.
  static HostKeys load_or_create(const std::filesystem::path& app_root);
};

}  // namespace switchboard::functions
