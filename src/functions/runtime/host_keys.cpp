// Host keys file: see host_keys.hpp.
#include "functions/runtime/host_keys.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "auth/crypto.hpp"

namespace switchboard::functions {

HostKeys HostKeys::load_or_create(const std::filesystem::path& app_root) {
  HostKeys keys;
  auto file = app_root / ".switchboard" / "host-keys.json";
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    std::ifstream in(file);
    auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_object() && json.value("masterKey", "").size() >= 16 &&
        json.value("functionKey", "").size() >= 16) {
      keys.master_key = json["masterKey"];
      keys.function_key = json["functionKey"];
      keys.file = file;
      return keys;
    }
    spdlog::warn("{} is not a valid keys file; writing new keys", file.string());
  }
  keys.master_key = auth::random_id(32);
  keys.function_key = auth::random_id(32);
  std::filesystem::create_directories(file.parent_path(), ec);
  std::ofstream out(file);
  if (ec || !out) {
    spdlog::warn("cannot write {}: the keys below last for this run only", file.string());
    return keys;
  }
  out << nlohmann::json{{"masterKey", keys.master_key}, {"functionKey", keys.function_key}}.dump(2)
      << "\n";
  keys.file = file;
  return keys;
}

}  // namespace switchboard::functions
