// Host keys file: see host_keys.hpp.
#include "functions/runtime/host_keys.hpp"

#include <spdlog/spdlog.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "auth/crypto.hpp"

namespace switchboard::functions {

namespace {

bool usable_key(const nlohmann::json& value) {
  return value.is_string() && value.get<std::string>().size() >= 16;
}

}  // namespace

HostKeys HostKeys::load_or_create(const std::filesystem::path& app_root) {
  HostKeys keys;
  keys.root_ = app_root;
  auto file = app_root / ".switchboard" / "host-keys.json";
  std::error_code ec;
  if (std::filesystem::exists(file, ec)) {
    std::ifstream in(file);
    auto json = nlohmann::json::parse(in, nullptr, false);
    if (json.is_object() && usable_key(json.value("masterKey", nlohmann::json())) &&
        usable_key(json.value("functionKey", nlohmann::json()))) {
      keys.master_key = json["masterKey"];
      keys.function_key = json["functionKey"];
      if (auto it = json.find("systemKeys"); it != json.end() && it->is_object())
        for (const auto& [name, value] : it->items())
          if (usable_key(value)) keys.system_keys[name] = value.get<std::string>();
      keys.file = file;
      return keys;
    }
    spdlog::warn("{} is not a valid keys file; writing new keys", file.string());
  }
  keys.master_key = auth::random_id(32);
  keys.function_key = auth::random_id(32);
  keys.save();
  return keys;
}

const std::string& HostKeys::system_key(const std::string& name) {
  auto it = system_keys.find(name);
  if (it != system_keys.end()) return it->second;
  it = system_keys.emplace(name, auth::random_id(32)).first;
  save();
  return it->second;
}

void HostKeys::save() {
  auto path = root_ / ".switchboard" / "host-keys.json";
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  std::ofstream out(path);
  if (ec || !out) {
    spdlog::warn("cannot write {}: the keys below last for this run only", path.string());
    file.clear();
    return;
  }
  nlohmann::json doc = {{"masterKey", master_key}, {"functionKey", function_key}};
  if (!system_keys.empty()) doc["systemKeys"] = system_keys;
  out << doc.dump(2) << "\n";
  file = path;
}

}  // namespace switchboard::functions
