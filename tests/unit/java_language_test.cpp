// The Java language (languages/java_worker, java_build): which functions the Java worker runs (a
// discovered function: its scriptFile is the build's classes folder, with an entryPoint), which
// apps have Java code (src/main/java), the worker's classpath, and a missing library named at
// start.
#include <gtest/gtest.h>

#include <filesystem>

#include "functions/app_config.hpp"
#include "functions/languages/java_build.hpp"
#include "functions/languages/language_worker.hpp"
#include "language_label.hpp"
#include "temp_app.hpp"

namespace switchboard::functions {
namespace {

namespace fs = std::filesystem;

class JavaLanguage : public ::testing::Test {
 protected:
  void write(const fs::path& relative) { app_.write(relative, ""); }
  TempApp app_;
  const fs::path& root_ = app_.root();
};

const LanguageWorker& java() {
  for (const auto& language : language_workers())
    if (language->label() == "java") return *language;
  throw std::runtime_error("no java language");
}

TEST_F(JavaLanguage, RunsFunctionsOfTheBuildsClassesFolder) {
  FunctionSpec function;
  function.name = "negotiate";
  function.directory = root_ / "negotiate";
  function.script_file = (root_ / ".switchboard" / "java" / "0123abcd" / "classes").string();
  function.entry_point = "com.function.Negotiate.negotiate";
  EXPECT_EQ(label_of(function), "java");
  function.entry_point.clear();
  EXPECT_EQ(label_of(function), "none") << "no entryPoint";
  function.entry_point = "com.function.Negotiate.negotiate";
  function.script_file = (root_ / "target" / "classes").string();
  EXPECT_EQ(label_of(function), "none") << "classes outside the build cache";
  function.script_file = "../app.jar";
  EXPECT_EQ(label_of(function), "none") << "a packaged jar is not supported";
}

TEST_F(JavaLanguage, SourcesAreTheJavaFilesUnderSrcMainJavaInOrder) {
  EXPECT_TRUE(java_sources(root_).empty());
  write("src/main/java/com/b/B.java");
  write("src/main/java/com/a/A.java");
  write("src/main/java/com/a/notes.txt");
  write("src/test/java/com/a/ATest.java");
  write("Other.java");
  const auto sources = java_sources(root_);
  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0], root_ / "src/main/java/com/a/A.java");
  EXPECT_EQ(sources[1], root_ / "src/main/java/com/b/B.java");
}

TEST_F(JavaLanguage, AnAppWithoutJavaSourcesNeedsNoJdk) {
  write("negotiate/function.json");
  write("negotiate/index.js");
  DiscoveryContext context{root_, []() -> fs::path { throw AppError("workers asked for"); }};
  EXPECT_TRUE(java().discover(context).empty());
}

TEST_F(JavaLanguage, AMissingLibraryIsNamedAtStart) {
  write("src/main/java/com/a/A.java");
  const fs::path workers = root_ / "workers";
  fs::create_directories(workers / "java");
  DiscoveryContext context{root_, [workers] { return workers; }};
  try {
    java().discover(context);
    FAIL() << "discover succeeded without the library";
  } catch (const AppError& e) {
    EXPECT_NE(std::string(e.what()).find("the Java worker's library is missing"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find((workers / "java" / "src").string()), std::string::npos)
        << e.what();
  }
}

TEST_F(JavaLanguage, TheClasspathIsTheClassesThenJackson) {
  const std::string cp = java_classpath("/app/.switchboard/java/h/classes");
  EXPECT_EQ(cp.rfind("/app/.switchboard/java/h/classes:", 0), 0u) << cp;
  for (const char* jar : {"jackson-databind.jar", "jackson-core.jar", "jackson-annotations.jar"})
    EXPECT_NE(cp.find(jar), std::string::npos) << jar;
  const std::string jars_only = java_classpath({});
  EXPECT_EQ(jars_only.find("classes"), std::string::npos) << jars_only;
  EXPECT_NE(jars_only.front(), ':') << "no empty element (the current folder) in " << jars_only;
}

}  // namespace
}  // namespace switchboard::functions
