// See java_build.hpp.
#include "functions/languages/java_build.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <memory>
#include <sstream>

#include "functions/app_config.hpp"
#include "functions/languages/run_program.hpp"

namespace switchboard::functions {
namespace fs = std::filesystem;

namespace {

// Raised when the cache format or the way it is built changes, so that old caches are not reused.
constexpr const char* kCacheFormat = "switchboard-java-1";

// The JVM options of the short-lived steps (javac, describe): the quickest start.
const std::vector<std::string> kQuickJvm = {"-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                                            "-Xshare:auto"};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw AppError(fmt::format("{}: cannot read the file", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> files_with_extension(const fs::path& dir, const std::string& extension) {
  std::vector<fs::path> found;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return found;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    std::error_code file_ec;
    if (it->is_regular_file(file_ec) && it->path().extension() == extension)
      found.push_back(it->path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

// SHA-256 (hex, first 16 bytes) of the format, and every file's path (relative to its base) and
// bytes.
class ContentHash {
 public:
  ContentHash() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw AppError("cannot hash the Java sources (OpenSSL)");
    add(kCacheFormat);
  }
  void add(const std::string& text) {
    const std::string framed = std::to_string(text.size()) + ":" + text;
    EVP_DigestUpdate(ctx_.get(), framed.data(), framed.size());
  }
  void add_files(const fs::path& base, const std::vector<fs::path>& files) {
    for (const auto& file : files) {
      add(file.lexically_relative(base).generic_string());
      add(read_file(file));
    }
  }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(ctx_.get(), digest, &size);
    std::string out;
    for (unsigned int i = 0; i < 16 && i < size; ++i) out += fmt::format("{:02x}", digest[i]);
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

std::string trim_end(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  return text;
}

void require_jackson(const fs::path& root) {
  for (const auto& jar : jackson_jars()) {
    std::error_code ec;
    if (!fs::is_regular_file(jar, ec))
      throw AppError(fmt::format(
          "{}: the Java worker needs {} (Debian: apt-get install libjackson2-databind-java)",
          root.string(), jar.string()));
  }
}

// Runs a JDK tool (javac, java) in the app root; AppError when it cannot start or runs too long.
ProgramRun run_jdk_tool(const fs::path& root, const std::string& tool,
                        std::vector<std::string> arguments) {
  ProgramSpec spec;
  spec.executable = tool;
  spec.arguments = std::move(arguments);
  spec.working_directory = root;
  spec.timeout = std::chrono::minutes(5);
  ProgramRun run = run_program(spec);
  if (!run.started)
    throw AppError(fmt::format(
        "{}: the app has Java functions (src/main/java), and '{}' cannot be started: {} "
        "(Debian: apt-get install openjdk-17-jdk-headless)",
        root.string(), tool, run.start_error));
  if (run.timed_out)
    throw AppError(fmt::format("{}: {} did not finish within 5 minutes", root.string(), tool));
  return run;
}

// javac: the app's files relative to the root (so that messages name them as the user sees them).
void compile(const fs::path& root, const std::vector<fs::path>& app_files,
             const std::vector<fs::path>& library_files, const fs::path& out) {
  const fs::path list = out / "sources.txt";
  {
    std::ofstream sources(list);
    auto quoted = [](const std::string& path) {
      std::string q = "\"";
      for (char c : path) q += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
      return q + "\"";
    };
    for (const auto& f : app_files) sources << quoted(f.lexically_relative(root).string()) << "\n";
    for (const auto& f : library_files) sources << quoted(f.string()) << "\n";
    if (!sources) throw AppError(fmt::format("{}: cannot write {}", root.string(), list.string()));
  }
  std::vector<std::string> args;
  for (const auto& option : kQuickJvm) args.push_back("-J" + option);
  for (const std::string& a :
       {std::string("-encoding"), std::string("UTF-8"), std::string("-nowarn"), std::string("-d"),
        (out / "classes").string(), std::string("-cp"), java_classpath({}), "@" + list.string()})
    args.push_back(a);
  const ProgramRun javac = run_jdk_tool(root, "javac", std::move(args));
  if (!javac.succeeded())
    throw AppError(fmt::format("{}: the Java sources do not compile (javac):\n{}", root.string(),
                               trim_end(javac.errors + javac.output)));
}

std::map<std::string, nlohmann::json> describe(const fs::path& root, const fs::path& classes) {
  std::vector<std::string> args = kQuickJvm;
  for (const std::string& a :
       {std::string("-cp"), java_classpath(classes), std::string("switchboard.worker.Main"),
        std::string("describe"), classes.string()})
    args.push_back(a);
  const ProgramRun java = run_jdk_tool(root, "java", std::move(args));
  if (!java.succeeded())
    throw AppError(fmt::format("{}: {}", root.string(), trim_end(java.errors + java.output)));
  auto doc = nlohmann::json::parse(java.output, nullptr, false);
  if (!doc.is_object())
    throw AppError(fmt::format("{}: the Java worker's describe output is not a JSON object: {}",
                               root.string(), java.output.substr(0, 200)));
  return doc.get<std::map<std::string, nlohmann::json>>();
}

}  // namespace

std::vector<fs::path> jackson_jars() {
  const fs::path dir = "/usr/share/java";
  return {dir / "jackson-databind.jar", dir / "jackson-core.jar", dir / "jackson-annotations.jar"};
}

std::string java_classpath(const fs::path& classes) {
  std::string cp = classes.empty() ? "" : classes.string();
  for (const auto& jar : jackson_jars()) cp += (cp.empty() ? "" : ":") + jar.string();
  return cp;
}

std::vector<fs::path> java_sources(const fs::path& root) {
  return files_with_extension(root / "src" / "main" / "java", ".java");
}

JavaBuild build_java_app(const fs::path& root, const fs::path& workers_dir) {
  const auto app_files = java_sources(root);
  const fs::path library = workers_dir / "java" / "src";
  const auto library_files = files_with_extension(library, ".java");
  if (library_files.empty())
    throw AppError(fmt::format("{}: the Java worker's library is missing ({} has no .java files)",
                               root.string(), library.string()));
  ContentHash hash;
  hash.add_files(library, library_files);
  hash.add_files(root, app_files);
  const fs::path cache_root = root / ".switchboard" / "java";
  const fs::path cache = cache_root / hash.hex();
  const fs::path functions_file = cache / "functions.json";

  JavaBuild build;
  build.classes = cache / "classes";
  std::error_code ec;
  if (!fs::is_regular_file(functions_file, ec)) {
    require_jackson(root);
    const auto started = std::chrono::steady_clock::now();
    const fs::path work = cache_root / fmt::format("{}.tmp-{}", hash.hex(), getpid());
    fs::remove_all(work, ec);
    fs::create_directories(work / "classes", ec);
    if (ec)
      throw AppError(
          fmt::format("{}: cannot create {}: {}", root.string(), work.string(), ec.message()));
    std::size_t found = 0;
    try {
      compile(root, app_files, library_files, work);
      const auto described = describe(root, work / "classes");
      found = described.size();
      std::ofstream(work / "functions.json") << nlohmann::json(described).dump(2) << "\n";
    } catch (...) {
      fs::remove_all(work, ec);
      throw;
    }
    spdlog::info("Java: compiled {} source files (javac) and found {} functions in {} ms",
                 app_files.size(), found,
                 std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count());
    // Another start may have built the same content meanwhile: either copy serves.
    fs::rename(work, cache, ec);
    if (ec) fs::remove_all(work, ec);
    // Builds of older contents are of no further use.
    for (const auto& entry : fs::directory_iterator(cache_root, ec)) {
      std::error_code remove_ec;
      if (entry.path() != cache &&
          entry.path().filename().string().find(".tmp-") == std::string::npos)
        fs::remove_all(entry.path(), remove_ec);
    }
  } else {
    spdlog::info("Java: using the cached build of the {} source files ({})", app_files.size(),
                 cache.lexically_relative(root).string());
  }
  auto doc = nlohmann::json::parse(read_file(functions_file), nullptr, false);
  if (!doc.is_object())
    throw AppError(fmt::format("{}: the cache file is damaged; delete {}", root.string(),
                               functions_file.string()));
  for (auto& [name, function] : doc.items()) {
    function["scriptFile"] = build.classes.string();
    build.functions[name] = function;
  }
  return build;
}

}  // namespace switchboard::functions
