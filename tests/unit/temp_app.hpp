// A function app directory under the system temp directory for unit tests, removed by the
// destructor, with helpers to write its files.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace switchboard::functions {

// A function app directory under the system temp directory, removed by the destructor.
class TempApp {
 public:
  TempApp();
  ~TempApp();
  TempApp(const TempApp&) = delete;
  TempApp& operator=(const TempApp&) = delete;

  void write(const std::filesystem::path& relative, std::string_view text) const;
  void host(std::string_view text = R"({"version": "2.0"})") const { write("host.json", text); }
  void settings(std::string_view text) const { write("local.settings.json", text); }
  void function(const std::string& name, std::string_view text) const {
    write(std::filesystem::path(name) / "function.json", text);
  }
  const std::filesystem::path& root() const { return root_; }
  std::string path(const std::string& relative) const { return (root_ / relative).string(); }

 private:
  std::filesystem::path root_;
};

}  // namespace switchboard::functions
