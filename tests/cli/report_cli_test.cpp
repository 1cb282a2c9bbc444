// eval's probes, likelihood and Fréchet distances, the tsne command and the HTML report, end to
// end through the program.
#include "aekit/core/config.h"
#include "aekit/data/npy.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

using aekit::testing::run_aekit;

namespace {

aekit::Json read_json(const std::filesystem::path& path) { return aekit::read_json_file(path); }

size_t count_of(const std::string& text, const std::string& what) {
  size_t count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

}  // namespace

TEST(ReportCli, EvalProbesLikelihoodFrechetAndTheHtmlReport) {
  if (!aekit::testing::fashion_mnist_available()) GTEST_SKIP() << "dataset-fashion-mnist missing";
  aekit::testing::TempDir dir;
  const std::string run = (dir / "vae").string();
  const std::string cache = (dir / "cache").string();
  // Dynamically binarized training with the 3-sample IWAE objective.
  auto result = run_aekit(
      "train --set model.latent_dim=2 --set model.encoder=[64] --set model.importance_samples=3 "
      "--set train.binarize=true --set data.train_limit=3000 --set data.test_limit=500 "
      "--epochs 2 --threads 2 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;

  result = run_aekit("eval " + run + " --likelihood --samples 1 --examples 200 --binarize");
  ASSERT_EQ(result.status, 0) << result.output;
  const double elbo = read_json(dir / "vae" / "eval.json")["likelihood"]["log_likelihood"].get<double>();
  result = run_aekit("eval " + run + " --likelihood --samples 200 --examples 200 --binarize --frechet "
                     "--frechet-samples 500 --cache-dir " + cache);
  ASSERT_EQ(result.status, 0) << result.output;
  const aekit::Json eval = read_json(dir / "vae" / "eval.json");
  const double iwae = eval["likelihood"]["log_likelihood"].get<double>();
  // The 200-sample bound is tighter than the single-sample ELBO on the same binarized examples.
  EXPECT_GT(iwae, elbo + 0.5) << result.output;
  EXPECT_LT(iwae, 0.0);
  EXPECT_GT(eval["likelihood"]["standard_error"].get<double>(), 0.0);
  EXPECT_TRUE(eval["likelihood"]["binarized"].get<bool>());
  // Codes of 10 classes: far above chance (0.1).
  EXPECT_GT(eval["representation"]["knn_accuracy"].get<double>(), 0.4) << result.output;
  EXPECT_GT(eval["representation"]["linear_probe_accuracy"].get<double>(), 0.3) << result.output;
  // Two real sets are closer than generated or reconstructed images are to real ones.
  const aekit::Json& fd = eval["frechet"];
  EXPECT_GT(fd["feature_network_test_accuracy"].get<double>(), 0.6);
  EXPECT_GT(fd["generated"].get<double>(), fd["train_vs_test"].get<double>());
  EXPECT_GT(fd["reconstructions"].get<double>(), fd["train_vs_test"].get<double>());
  for (const char* key : {"bce", "smape", "mse", "psnr", "rounded_accuracy"}) {
    EXPECT_TRUE(std::isfinite(eval[key].get<double>())) << key;
  }
  // The feature network was cached: a second Fréchet run reads it.
  result = run_aekit("--log-level info eval " + run + " --frechet --frechet-samples 300 --cache-dir " +
                     cache);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(result.output.find("training the feature network"), std::string::npos) << result.output;

  result = run_aekit("report " + run + " --tsne-points 300 --likelihood-samples 20 "
                     "--likelihood-examples 50 --frechet-samples 300 --cache-dir " + cache);
  ASSERT_EQ(result.status, 0) << result.output;
  const std::string html = aekit::testing::read_bytes(dir / "vae" / "report.html");
  // Loss curves, latent scatter, manifold, reconstructions, samples, interpolation, traversal,
  // t-SNE: all embedded.
  EXPECT_EQ(count_of(html, "<img src=\"data:image/png;base64,"), 8u);
  EXPECT_EQ(count_of(html, "src=\"http"), 0u);
  for (const char* text : {"log p(x)", "Fréchet distance, generated", "linear probe accuracy",
                           "SMAPE", "t-SNE", "active latent units", "&quot;importance_samples&quot;: 3"}) {
    EXPECT_NE(html.find(text), std::string::npos) << text;
  }
  const aekit::Json report = read_json(dir / "vae" / "report.json");
  for (const char* key : {"test", "latent_activity", "representation", "likelihood", "frechet", "tsne"}) {
    EXPECT_TRUE(report.contains(key)) << key;
  }
}

TEST(ReportCli, TsneOfAnyPointsAndItsErrors) {
  aekit::testing::TempDir dir;
  torch::manual_seed(9);
  const torch::Tensor labels = torch::arange(3, torch::kInt64).repeat_interleave(40);
  const torch::Tensor points =
      (torch::randn({3, 10}) * 8).index_select(0, labels) + torch::randn({120, 10});
  aekit::data::write_npy(dir / "points.npy", points);
  aekit::data::write_npy(dir / "labels.npy", labels.to(torch::kFloat32));
  auto result = run_aekit("tsne --input " + (dir / "points.npy").string() + " --labels " +
                          (dir / "labels.npy").string() + " --perplexity 10 --out " +
                          (dir / "map.npy").string() + " --plot " + (dir / "map.png").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("10-NN label accuracy: 1.0000 in the input, 1.0000 in the map"),
            std::string::npos)
      << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "map.npy").sizes(), (std::vector<int64_t>{120, 2}));
  EXPECT_TRUE(std::filesystem::exists(dir / "map.png"));

  aekit::data::write_npy(dir / "three.npy", points.slice(0, 0, 3));
  result = run_aekit("tsne --input " + (dir / "three.npy").string());
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("t-SNE: expected at least 4 points, found 3"), std::string::npos)
      << result.output;
  result = run_aekit("tsne");
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("give either --run RUN"), std::string::npos) << result.output;
}

TEST(ReportCli, LikelihoodOfADeterministicModelIsAClearError) {
  aekit::testing::TempDir dir;
  aekit::data::write_npy(dir / "x.npy", torch::rand({64, 12}));
  const std::string run = (dir / "ae").string();
  auto result = run_aekit("train --set model.type=ae --set model.encoder=[8] --set model.latent_dim=2 "
                          "--set data.dataset=files --set data.train=" + (dir / "x.npy").string() +
                          " --epochs 1 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("eval " + run + " --likelihood");
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("has no posterior q(z|x)"), std::string::npos) << result.output;
  result = run_aekit("eval " + run + " --frechet");
  EXPECT_NE(result.status, 0);
  EXPECT_NE(result.output.find("needs labelled training and test data"), std::string::npos)
      << result.output;
  // Unlabelled data: eval still works and says the probes were skipped.
  result = run_aekit("eval " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("skipped, the data has no labels"), std::string::npos);
}

// The main job, shortened: `aekit demo` trains, writes the report with every phase timed, and
// writes RUN/eval.json in the schema of `aekit eval` (docs/CLI.md).
TEST(DemoCli, TrainsReportsAndWritesEvalJsonInTheSchemaOfEval) {
  if (!aekit::testing::fashion_mnist_available()) GTEST_SKIP() << "dataset-fashion-mnist missing";
  aekit::testing::TempDir dir;
  const std::string run = (dir / "demo").string();
  auto result = aekit::testing::run_shell(
      "AEKIT_CACHE_DIR=" + (dir / "cache").string() + " " + aekit::testing::aekit_program() +
      " demo --epochs 1 --set data.train_limit=2000 --set data.test_limit=300 --threads 2 "
      "--run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("report: importance-weighted likelihood (k = 5000, 1000 examples) done in"),
            std::string::npos) << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "demo" / "report.html"));
#ifdef AEKIT_TESTS_WITH_SERVE
  // It ends with the command that opens the run in the explorer.
  EXPECT_NE(result.output.find("explore its latent space in the browser:\n  aekit serve " + run + "\n"),
            std::string::npos) << result.output;
#endif
  const aekit::Json report = read_json(dir / "demo" / "report.json");
  for (const char* phase : {"test", "representation", "likelihood", "frechet", "figures", "tsne"}) {
    ASSERT_TRUE(report["seconds"].contains(phase)) << phase << ": " << report.dump();
    EXPECT_GT(report["seconds"][phase].get<double>(), 0.0) << phase;
  }
  const aekit::Json demo_eval = read_json(dir / "demo" / "eval.json");
  EXPECT_EQ(demo_eval["loss"].get<double>(), report["test"]["loss"].get<double>());
  EXPECT_EQ(demo_eval["likelihood"]["examples"].get<int64_t>(), 300);
  // `aekit eval` on the same run writes the same keys (the likelihood and Fréchet on request).
  result = run_aekit("eval " + run + " --threads 2 --likelihood --samples 10 --frechet --frechet-samples 300 "
                     "--cache-dir " + (dir / "cache").string());
  ASSERT_EQ(result.status, 0) << result.output;
  const aekit::Json eval_eval = read_json(dir / "demo" / "eval.json");
  std::vector<std::string> demo_keys;
  std::vector<std::string> eval_keys;
  for (const auto& item : demo_eval.items()) demo_keys.push_back(item.key());
  for (const auto& item : eval_eval.items()) eval_keys.push_back(item.key());
  EXPECT_EQ(demo_keys, eval_keys);
  EXPECT_NEAR(eval_eval["loss"].get<double>(), demo_eval["loss"].get<double>(), 1e-3);
}
