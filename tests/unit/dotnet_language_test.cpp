// The C# language (languages/dotnet_worker, dotnet_runtime): which functions the .NET worker runs
// (a run.csx folder, a .csx or compiled .dll scriptFile) and which apps have C# code at all (so
// that only they need Mono).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "functions/languages/dotnet_runtime.hpp"
#include "functions/languages/language_worker.hpp"

namespace switchboard::functions {
namespace {

namespace fs = std::filesystem;

class DotnetLanguage : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        fs::temp_directory_path() /
        ("switchboard-dotnet-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
         "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const fs::path& relative) {
    fs::create_directories((root_ / relative).parent_path());
    std::ofstream(root_ / relative) << "";
  }
  fs::path root_;
};

std::string label_of(const FunctionSpec& function) {
  const auto* language = language_for(function);
  return language ? language->label() : "none";
}

TEST_F(DotnetLanguage, RunsCSharpScriptsAndCompiledClassLibraries) {
  write("negotiate/run.csx");
  FunctionSpec script;
  script.name = "negotiate";
  script.directory = root_ / "negotiate";
  EXPECT_EQ(label_of(script), "dotnet");
  script.script_file = "../shared/Other.CSX";
  EXPECT_EQ(label_of(script), "dotnet");
  FunctionSpec library;  // declared in code: no folder, the compiled assembly as scriptFile
  library.name = "SendMessage";
  library.script_file = ".switchboard/dotnet/0123/app.dll";
  library.entry_point = "Seeds.SendMessageFunction.SendMessage";
  EXPECT_EQ(label_of(library), "dotnet");
}

TEST_F(DotnetLanguage, OnlySourcesOutsideBuildAndToolFoldersAreCode) {
  write("index.js");
  write("bin/Debug/Generated.cs");
  write("obj/AssemblyInfo.cs");
  write(".switchboard/dotnet/abc/Function0.cs");
  write("node_modules/pkg/x.cs");
  write("Notes.cs.txt");
  EXPECT_FALSE(has_csharp_code(root_));
  write("src/Functions.cs");
  EXPECT_TRUE(has_csharp_code(root_));
}

TEST_F(DotnetLanguage, AScriptFolderIsCode) {
  write("negotiate/function.json");
  EXPECT_FALSE(has_csharp_code(root_));
  write("negotiate/run.csx");
  EXPECT_TRUE(has_csharp_code(root_));
}

TEST_F(DotnetLanguage, AnAppWithoutCSharpDeclaresNothingAndNeedsNoMono) {
  write("negotiate/function.json");
  write("negotiate/index.js");
  EXPECT_TRUE(discover_code_functions(root_).empty());
}

}  // namespace
}  // namespace switchboard::functions
