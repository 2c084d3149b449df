// Function, master and system keys of the host, kept in APP_DIR/.switchboard/host-keys.json
// (created with random keys on first start) so that they survive restarts. A system key (such as
// `signalr_extension`, the SignalR webhook's) is created the first time it is asked for.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace switchboard::functions {

inline constexpr const char* kSignalRExtensionKey = "signalr_extension";

struct HostKeys {
  std::string master_key;
  std::string function_key;                        // the "default" function key
  std::map<std::string, std::string> system_keys;  // by name, e.g. "signalr_extension"
  std::filesystem::path file;  // where they are kept; empty when they could not be saved

  // Loads the keys file, or creates it. Never throws: an unwritable app keeps in-memory keys.
  static HostKeys load_or_create(const std::filesystem::path& app_root);

  // The system key `name`, created (and saved) when the file has none yet.
  const std::string& system_key(const std::string& name);

 private:
  std::filesystem::path root_;
  void save();
};

}  // namespace switchboard::functions
