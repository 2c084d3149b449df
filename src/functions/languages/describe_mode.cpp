// Runs a worker's describe script and reads the functions it wrote (describe_mode.hpp).
#include "functions/languages/describe_mode.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "functions/languages/run_program.hpp"

namespace switchboard::functions {
namespace {

namespace fs = std::filesystem;

// The last lines of a program's stderr, for an error message.
std::string tail(const std::string& text, std::size_t max = 2000) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  if (trimmed.size() > max) trimmed = "..." + trimmed.substr(trimmed.size() - max);
  return trimmed.empty() ? "(no output)" : trimmed;
}

// A fresh file name in the temp directory for the script's answer (removed after).
fs::path answer_file(const std::string& label) {
  static std::atomic<unsigned> counter{0};
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return fs::temp_directory_path() /
         fmt::format("switchboard-describe-{}-{}-{}-{}.json", label, ::getpid(), now, ++counter);
}

}  // namespace

std::map<std::string, nlohmann::json> run_describe_mode(const DiscoveryContext& context,
                                                        const DescribeSpec& spec) {
  const fs::path script = context.workers_dir() / spec.label / spec.script;
  std::error_code ec;
  if (!fs::is_regular_file(script, ec))
    throw AppError(
        fmt::format("The {} language worker is missing: {} (set SWITCHBOARD_WORKERS_DIR "
                    "to the folder holding node/ and python/).",
                    spec.label, script.string()));
  const fs::path answer = answer_file(spec.label);
  ProgramSpec program;
  program.executable = spec.executable;
  program.arguments = {script.string(), answer.string()};
  program.working_directory = context.root;
  program.environment = {{"FUNCTIONS_APP_ROOT_PATH", context.root.string()},
                         {"FUNCTIONS_WORKER_RUNTIME", spec.label}};
  program.timeout = std::chrono::seconds(60);
  const ProgramRun run = run_program(program);

  std::string text;
  if (std::ifstream in{answer}) {
    std::ostringstream buffer;
    buffer << in.rdbuf();
    text = buffer.str();
  }
  fs::remove(answer, ec);
  const std::string what =
      fmt::format("{}: reading the functions declared in the app's code ({} {})",
                  context.root.string(), spec.executable, script.string());
  if (!run.started) throw AppError(fmt::format("{}: cannot start: {}", what, run.start_error));
  if (run.timed_out)
    throw AppError(
        fmt::format("{}: no answer within 60 s (does the app's top-level code wait?)", what));
  if (text.empty())
    throw AppError(fmt::format("{}: exited with status {} without an answer: {}", what,
                               run.exit_code, tail(run.errors)));
  const auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    throw AppError(fmt::format("{}: the answer is not a JSON object", what));
  if (const auto error = doc.find("error"); error != doc.end())
    throw AppError(error->is_string() ? error->get<std::string>() : error->dump());
  const auto functions = doc.find("functions");
  if (functions == doc.end() || !functions->is_object())
    throw AppError(fmt::format("{}: the answer has no \"functions\" object", what));
  std::map<std::string, nlohmann::json> result;
  for (auto it = functions->begin(); it != functions->end(); ++it) result[it.key()] = it.value();
  return result;
}

}  // namespace switchboard::functions
