// The C# language (languages/dotnet_worker, dotnet_runtime): which functions the .NET worker runs
// (a run.csx folder, a .csx or compiled .dll scriptFile) and which apps have C# code at all (so
// that only they need Mono).
#include <gtest/gtest.h>

#include <filesystem>

#include "functions/languages/dotnet_runtime.hpp"
#include "functions/languages/language_worker.hpp"
#include "language_label.hpp"
#include "temp_app.hpp"

namespace switchboard::functions {
namespace {

namespace fs = std::filesystem;

class DotnetLanguage : public ::testing::Test {
 protected:
  void write(const fs::path& relative) { app_.write(relative, ""); }
  TempApp app_;
  const fs::path& root_ = app_.root();
};

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
