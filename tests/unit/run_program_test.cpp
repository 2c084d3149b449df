// run_program: what a program printed on each stream, its exit status, a program that cannot
// start, and one killed at its deadline.
#include "functions/languages/run_program.hpp"

#include <gtest/gtest.h>

namespace switchboard::functions {
namespace {

TEST(RunProgram, CollectsBothStreamsAndTheExitStatus) {
  ProgramSpec spec;
  spec.executable = "sh";
  spec.arguments = {"-c", "echo out; echo err >&2; echo \"$GREETING\"; exit 3"};
  spec.environment = {{"GREETING", "hello"}};
  auto run = run_program(spec);
  EXPECT_TRUE(run.started);
  EXPECT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_FALSE(run.succeeded());
  EXPECT_EQ(run.output, "out\nhello\n");
  EXPECT_EQ(run.errors, "err\n");
}

TEST(RunProgram, RunsInTheWorkingDirectory) {
  ProgramSpec spec;
  spec.executable = "pwd";
  spec.working_directory = "/tmp";
  auto run = run_program(spec);
  EXPECT_TRUE(run.succeeded());
  EXPECT_EQ(run.output, "/tmp\n");
}

TEST(RunProgram, LargeOutputOnBothStreamsDoesNotBlock) {
  ProgramSpec spec;
  spec.executable = "sh";
  spec.arguments = {"-c", "head -c 300000 /dev/zero; head -c 200000 /dev/zero >&2"};
  auto run = run_program(spec);
  EXPECT_TRUE(run.succeeded());
  EXPECT_EQ(run.output.size(), 300000u);
  EXPECT_EQ(run.errors.size(), 200000u);
}

TEST(RunProgram, AMissingProgramIsNotStarted) {
  ProgramSpec spec;
  spec.executable = "no-such-program-switchboard";
  auto run = run_program(spec);
  EXPECT_FALSE(run.started);
  EXPECT_NE(run.start_error.find("no-such-program-switchboard"), std::string::npos);
  EXPECT_FALSE(run.succeeded());
}

TEST(RunProgram, AProgramPastItsDeadlineIsKilled) {
  ProgramSpec spec;
  spec.executable = "sleep";
  spec.arguments = {"30"};
  spec.timeout = std::chrono::milliseconds(200);
  auto run = run_program(spec);
  EXPECT_TRUE(run.started);
  EXPECT_TRUE(run.timed_out);
  EXPECT_EQ(run.exit_code, -1);
}

}  // namespace
}  // namespace switchboard::functions
