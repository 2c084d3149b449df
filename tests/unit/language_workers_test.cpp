// The language list: which worker runs a function (scriptFile extension, else the folder's default
// file), and apps with no functions declared in code.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "functions/languages/language_worker.hpp"
#include "language_label.hpp"
#include "temp_app.hpp"

namespace switchboard::functions {
namespace {

namespace fs = std::filesystem;

class LanguageWorkers : public ::testing::Test {
 protected:
  FunctionSpec function_in(const std::string& folder, const std::string& file) {
    FunctionSpec function;
    function.name = folder;
    function.directory = root_ / folder;
    fs::create_directories(function.directory);
    if (!file.empty()) std::ofstream(function.directory / file) << "";
    return function;
  }
  TempApp app_;
  const fs::path& root_ = app_.root();
};

TEST_F(LanguageWorkers, DefaultFilesChooseTheLanguage) {
  EXPECT_EQ(label_of(function_in("a", "index.js")), "node");
  EXPECT_EQ(label_of(function_in("b", "__init__.py")), "python");
  EXPECT_EQ(label_of(function_in("c", "")), "none");
}

TEST_F(LanguageWorkers, ScriptFileExtensionWinsOverTheFolder) {
  auto function = function_in("d", "index.js");
  function.script_file = "../dist/main.PY";
  EXPECT_EQ(label_of(function), "python");
  for (const char* script : {"x.js", "x.mjs", "x.cjs"}) {
    function.script_file = script;
    EXPECT_EQ(label_of(function), "node") << script;
  }
  function.script_file = "run.sh";
  EXPECT_EQ(label_of(function), "none");
}

TEST_F(LanguageWorkers, LabelsAreDistinct) {
  std::set<std::string> labels;
  for (const auto& language : language_workers()) labels.insert(language->label());
  EXPECT_EQ(labels.size(), language_workers().size());
}

TEST_F(LanguageWorkers, AClassicAppDeclaresNoFunctionsInCode) {
  function_in("negotiate", "index.js");
  EXPECT_TRUE(discover_code_functions(root_).empty());
}

// Only a package.json with "main" (Node.js v4) or a function_app.py (Python v2) makes the host ask
// a worker; a classic app's package.json (the seeds' one: no "main") starts no describe run.
TEST_F(LanguageWorkers, APackageJsonWithoutMainIsNotANodeV4App) {
  function_in("negotiate", "index.js");
  std::ofstream(root_ / "package.json") << R"({"name": "classic", "type": "commonjs"})";
  EXPECT_TRUE(discover_code_functions(root_).empty());
}

}  // namespace
}  // namespace switchboard::functions
