// See dotnet_runtime.hpp.
#include "functions/languages/dotnet_runtime.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "functions/app_config.hpp"
#include "functions/languages/run_program.hpp"

namespace switchboard::functions {
namespace fs = std::filesystem;
namespace {

bool skipped_folder(const fs::path& dir) {
  auto name = dir.filename().string();
  return name.empty() || name.front() == '.' || name == "bin" || name == "obj" ||
         name == "node_modules";
}

std::vector<fs::path> sources_in(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.path().extension() == ".cs" && entry.is_regular_file(ec)) files.push_back(entry);
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// SHA-256 over each file's name and bytes, as hex (24 digits are plenty for a cache key).
std::string content_hash(const std::vector<fs::path>& files) {
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  EVP_DigestInit_ex(context, EVP_sha256(), nullptr);
  for (const auto& file : files) {
    auto name = file.parent_path().filename().string() + "/" + file.filename().string();
    auto bytes = read_file(file);
    EVP_DigestUpdate(context, name.data(), name.size() + 1);
    EVP_DigestUpdate(context, bytes.data(), bytes.size());
    EVP_DigestUpdate(context, "", 1);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(context, digest, &length);
  EVP_MD_CTX_free(context);
  std::string hex;
  for (unsigned i = 0; i < 12 && i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

void compile(std::vector<std::string> arguments, const std::vector<fs::path>& files) {
  for (const auto& file : files) arguments.push_back(file.string());
  ProgramSpec spec;
  spec.executable = "mcs";
  spec.arguments = std::move(arguments);
  auto run = run_program(spec);
  if (!run.started)
    throw AppError("C# functions need Mono's compiler: mcs cannot be started (" + run.start_error +
                   "); install the Debian packages mono-mcs and mono-runtime.");
  if (!run.succeeded())
    throw AppError("mcs could not compile the .NET worker (workers/dotnet):\n" + run.output +
                   run.errors);
}

}  // namespace

std::filesystem::path dotnet_runtime(const fs::path& app_root, const fs::path& workers_dir) {
  const fs::path sources = workers_dir / "dotnet";
  auto shim_files = sources_in(sources / "shim");
  auto worker_files = sources_in(sources / "worker");
  if (shim_files.empty() || worker_files.empty())
    throw AppError("The .NET worker's sources are missing: " + sources.string() +
                   " (set SWITCHBOARD_WORKERS_DIR to the folder holding dotnet/).");
  std::vector<fs::path> all = shim_files;
  all.insert(all.end(), worker_files.begin(), worker_files.end());
  const fs::path cache = app_root / ".switchboard" / "dotnet";
  const fs::path runtime = cache / ("runtime-" + content_hash(all));
  std::error_code ec;
  if (fs::exists(runtime / "complete", ec)) return runtime;

  const fs::path temp = cache / fmt::format("tmp-runtime-{}", ::getpid());
  fs::remove_all(temp, ec);
  fs::create_directories(temp, ec);
  if (ec) throw AppError("Cannot create " + temp.string() + ": " + ec.message());
  const std::string shim = (temp / "Switchboard.Functions.Shim.dll").string();
  try {
    compile({"-target:library", "-nologo", "-debug", "-out:" + shim, "-r:System.Net.Http.dll"},
            shim_files);
    compile({"-nologo", "-debug", "-out:" + (temp / "Switchboard.Worker.exe").string(),
             "-r:" + shim, "-r:System.Net.Http.dll"},
            worker_files);
  } catch (...) {
    fs::remove_all(temp, ec);
    throw;
  }
  std::ofstream(temp / "complete") << "ok\n";
  fs::remove_all(runtime, ec);  // an incomplete build left by a process that died
  fs::rename(temp, runtime, ec);
  if (ec) {
    fs::remove_all(temp, ec);
    if (!fs::exists(runtime / "complete", ec))
      throw AppError("Cannot move the .NET worker's build into " + runtime.string());
  }
  // Builds of earlier worker sources (after an upgrade) are not kept.
  std::vector<fs::path> older;
  for (fs::directory_iterator it(cache, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename().string().rfind("runtime-", 0) == 0 && it->path() != runtime)
      older.push_back(it->path());
  for (const auto& path : older) fs::remove_all(path, ec);
  return runtime;
}

bool has_csharp_code(const fs::path& root) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory(ec)) {
      if (skipped_folder(it->path())) it.disable_recursion_pending();
      continue;
    }
    auto extension = it->path().extension();
    if (extension == ".cs" || extension == ".csx") return true;
  }
  return false;
}

}  // namespace switchboard::functions
