// Unit tests for finding the language workers at run time: the environment override, the
// installed layout (<prefix>/share/switchboard/workers), the build tree layouts, and the errors.
#include "functions/runtime/worker_location.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace switchboard::functions {
namespace {

namespace fs = std::filesystem;

// A fresh temporary folder, removed at the end of the test.
class WorkerLocation : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("switchboard-workers-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  void touch(const fs::path& file) {
    fs::create_directories(file.parent_path());
    std::ofstream(file) << "// worker\n";
  }
  // A workers folder with the node worker (and the python one unless `node_only`).
  fs::path make_workers(const fs::path& dir, bool node_only = false) {
    touch(dir / "node" / "worker.mjs");
    if (!node_only) touch(dir / "python" / "worker.py");
    return dir;
  }
  static std::string error_of(const char* override_dir, const fs::path& executable) {
    try {
      locate_workers(override_dir, executable);
    } catch (const WorkerLocationError& e) {
      return e.what();
    }
    return "(no error)";
  }

  fs::path root_;
};

TEST_F(WorkerLocation, InstalledLayout) {
  auto workers = make_workers(root_ / "usr" / "share" / "switchboard" / "workers");
  EXPECT_EQ(locate_workers(nullptr, root_ / "usr" / "bin" / "switchboard"), workers);
}

TEST_F(WorkerLocation, BuildTreeExecutable) {
  auto workers = make_workers(root_ / "build" / "workers");
  EXPECT_EQ(locate_workers(nullptr, root_ / "build" / "switchboard"), workers);
}

TEST_F(WorkerLocation, BuildTreeExample) {
  auto workers = make_workers(root_ / "build" / "workers");
  EXPECT_EQ(locate_workers(nullptr, root_ / "build" / "examples" / "seeds-cpp"), workers);
}

TEST_F(WorkerLocation, InstalledLayoutIsTriedFirst) {
  auto installed = make_workers(root_ / "share" / "switchboard" / "workers");
  make_workers(root_ / "bin" / "workers");
  EXPECT_EQ(locate_workers(nullptr, root_ / "bin" / "switchboard"), installed);
}

TEST_F(WorkerLocation, OneLanguageIsEnough) {
  auto workers = make_workers(root_ / "build" / "workers", /*node_only=*/true);
  EXPECT_TRUE(holds_workers(workers));
  EXPECT_EQ(locate_workers(nullptr, root_ / "build" / "switchboard"), workers);
}

TEST_F(WorkerLocation, OverrideWinsOverTheExecutablesLayout) {
  make_workers(root_ / "usr" / "share" / "switchboard" / "workers");
  auto chosen = make_workers(root_ / "elsewhere");
  EXPECT_EQ(locate_workers(chosen.c_str(), root_ / "usr" / "bin" / "switchboard"), chosen);
}

TEST_F(WorkerLocation, EmptyOverrideIsNoOverride) {
  auto workers = make_workers(root_ / "usr" / "share" / "switchboard" / "workers");
  EXPECT_EQ(locate_workers("", root_ / "usr" / "bin" / "switchboard"), workers);
}

TEST_F(WorkerLocation, OverrideWithoutWorkersIsAnErrorNotPassedOver) {
  make_workers(root_ / "usr" / "share" / "switchboard" / "workers");
  fs::create_directories(root_ / "empty");
  auto error = error_of((root_ / "empty").c_str(), root_ / "usr" / "bin" / "switchboard");
  EXPECT_NE(error.find("SWITCHBOARD_WORKERS_DIR is " + (root_ / "empty").string()),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("neither node/worker.mjs nor python/worker.py"), std::string::npos) << error;
}

TEST_F(WorkerLocation, NothingFoundNamesEveryFolderTried) {
  // A folder named workers without a worker in it does not count.
  fs::create_directories(root_ / "build" / "workers" / "node");
  auto error = error_of(nullptr, root_ / "build" / "switchboard");
  for (const auto& candidate : worker_candidates(root_ / "build" / "switchboard"))
    EXPECT_NE(error.find(candidate.string()), std::string::npos) << error;
  EXPECT_NE(error.find("set SWITCHBOARD_WORKERS_DIR"), std::string::npos) << error;
}

TEST_F(WorkerLocation, CandidatesAreNormalised) {
  auto candidates = worker_candidates("/opt/sb/bin/switchboard");
  ASSERT_EQ(candidates.size(), 3u);
  EXPECT_EQ(candidates[0], fs::path("/opt/sb/share/switchboard/workers"));
  EXPECT_EQ(candidates[1], fs::path("/opt/sb/bin/workers"));
  EXPECT_EQ(candidates[2], fs::path("/opt/sb/workers"));
}

TEST(CurrentExecutable, IsThisTestBinary) {
  auto exe = current_executable();
  EXPECT_TRUE(exe.is_absolute());
  EXPECT_EQ(exe.filename(), "switchboard_unit_tests");
}

}  // namespace
}  // namespace switchboard::functions
