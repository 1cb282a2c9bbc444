#include "aekit/train/trainer.h"

#include "aekit/core/runtime.h"
#include "aekit/train/checkpoint.h"
#include "aekit/train/optimizer.h"
#include "aekit/train/run_config.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using aekit::Json;
using aekit::testing::TempDir;
using aekit::train::RunPaths;

namespace {

// 600 samples of 16 binary features made from 2 hidden causes: learnable in a few epochs.
aekit::data::DataSplits toy_data() {
  auto generator = at::detail::createCPUGenerator(11);
  const torch::Tensor causes = torch::randint(0, 2, {600, 2}, generator).to(torch::kFloat32);
  const torch::Tensor x = torch::cat({causes.select(1, 0).unsqueeze(1).expand({600, 8}),
                                      causes.select(1, 1).unsqueeze(1).expand({600, 8})}, 1).contiguous();
  aekit::data::DataSplits splits;
  splits.name = "toy";
  splits.train = {x.slice(0, 0, 400), causes.select(1, 0).to(torch::kInt64).slice(0, 0, 400)};
  splits.validation = {x.slice(0, 400, 500), {}};
  splits.test = {x.slice(0, 500, 600), causes.select(1, 0).to(torch::kInt64).slice(0, 500, 600)};
  return splits;
}

Json toy_config(int64_t epochs) {
  return aekit::train::resolve_config(
      Json{{"model", {{"type", "vae"}, {"encoder", {8}}, {"latent_dim", 2}}},
           {"train", {{"epochs", epochs}, {"batch_size", 32}, {"seed", 5}}},
           {"runtime", {{"device", "cpu"}}}});
}

aekit::train::TrainerOptions quiet(bool resume = false) {
  aekit::train::TrainerOptions options;
  options.progress = false;
  options.resume = resume;
  return options;
}

Json losses_only(const Json& history) {
  Json out = Json::array();
  for (auto epoch : history) {
    for (const char* key : {"seconds", "rss_mib", "peak_rss_mib"}) epoch.erase(key);
    out.push_back(epoch);
  }
  return out;
}

}  // namespace

TEST(Trainer, SameSeedSameMetrics) {
  TempDir dir;
  const auto data = toy_data();
  const auto a = aekit::train::train(toy_config(3), data, RunPaths(dir / "a"), quiet());
  const auto b = aekit::train::train(toy_config(3), data, RunPaths(dir / "b"), quiet());
  EXPECT_EQ(losses_only(a.history), losses_only(b.history));
  EXPECT_LT(a.history[2]["train_loss"].get<double>(), a.history[0]["train_loss"].get<double>());
  // metrics.jsonl holds the same numbers, one line per epoch.
  const std::string lines = aekit::testing::read_bytes(dir / "a" / "metrics.jsonl");
  EXPECT_EQ(std::count(lines.begin(), lines.end(), '\n'), 3);
  EXPECT_EQ(Json::parse(lines.substr(0, lines.find('\n'))), a.history[0]);
}

TEST(Trainer, ResumedRunEndsWithTheSameMetricsAndWeights) {
  TempDir dir;
  const auto data = toy_data();
  const auto straight = aekit::train::train(toy_config(4), data, RunPaths(dir / "straight"), quiet());
  aekit::train::train(toy_config(2), data, RunPaths(dir / "split"), quiet());
  torch::manual_seed(999);  // disturb the generator: resume must restore it from the checkpoint
  const auto resumed = aekit::train::train(toy_config(4), data, RunPaths(dir / "split"), quiet(/*resume=*/true));
  EXPECT_EQ(losses_only(resumed.history), losses_only(straight.history));
  const auto a = straight.model->parameters();
  const auto b = resumed.model->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i].equal(b[i]));
}

TEST(Trainer, ExistingCheckpointNeedsResume) {
  TempDir dir;
  const auto data = toy_data();
  aekit::train::train(toy_config(1), data, RunPaths(dir / "run"), quiet());
  EXPECT_INPUT_ERROR(aekit::train::train(toy_config(1), data, RunPaths(dir / "run"), quiet()),
                     "run folder already holds a checkpoint; pass --resume");
}

TEST(Trainer, NonFiniteLossStopsAndKeepsLastCheckpoint) {
  TempDir dir;
  auto data = toy_data();
  Json config = toy_config(1);
  aekit::train::train(config, data, RunPaths(dir / "run"), quiet());
  const std::string before = aekit::testing::read_bytes(dir / "run" / "checkpoint.pt");
  config["train"]["epochs"] = 3;
  config["train"]["lr"] = 1e30;
  try {
    aekit::train::train(config, data, RunPaths(dir / "run"), quiet(true));
    FAIL() << "expected a non-finite loss";
  } catch (const aekit::RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find("non-finite loss"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("at epoch 2, batch"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("last good checkpoint (epoch 1)"), std::string::npos) << e.what();
  }
  EXPECT_EQ(aekit::testing::read_bytes(dir / "run" / "checkpoint.pt"), before);
}

TEST(Checkpoint, RoundTripRestoresModelOptimizerAndState) {
  TempDir dir;
  const auto data = toy_data();
  const auto result = aekit::train::train(toy_config(2), data, RunPaths(dir / "run"), quiet());
  const auto state = aekit::train::read_checkpoint_state(dir / "run" / "checkpoint.pt");
  EXPECT_EQ(state.epoch, 2);
  EXPECT_EQ(state.sample_shape, (std::vector<int64_t>{16}));
  EXPECT_EQ(state.config, aekit::Json::parse(aekit::testing::read_bytes(dir / "run" / "config.json")));
  EXPECT_EQ(state.history, result.history);
  const auto loaded = aekit::train::load_run(dir / "run", torch::kCPU);
  torch::manual_seed(0);
  const torch::Tensor codes = loaded.model->encode(data.test.features);
  EXPECT_TRUE(codes.equal(result.model->encode(data.test.features)));
  // The optimizer state comes back too: Adam's step count and moments.
  auto model = aekit::models::make_model(state.config["model"], state.sample_shape);
  auto optimizer = aekit::train::make_optimizer(state.config, model->parameters());
  aekit::train::load_checkpoint_tensors(dir / "run" / "checkpoint.pt", *model, optimizer.get());
  aekit::train::save_checkpoint(dir / "copy.pt", *model, optimizer.get(), state);
  auto model2 = aekit::models::make_model(state.config["model"], state.sample_shape);
  auto optimizer2 = aekit::train::make_optimizer(state.config, model2->parameters());
  aekit::train::load_checkpoint_tensors(dir / "copy.pt", *model2, optimizer2.get());
  const auto& adam_state = optimizer2->state();
  ASSERT_EQ(adam_state.size(), model2->parameters().size());
  for (const auto& item : adam_state) {
    EXPECT_EQ(static_cast<torch::optim::AdamParamState&>(*item.second).step(), 2 * 13);  // 400/32 -> 13 steps
  }
}

// train.lr_schedule "cosine": each epoch's last step runs at lr (1 + cos(pi s / S)) / 2, s of
// S = 4 x 13 steps done before it; the optimizer saved with the run holds the last step's rate.
TEST(Trainer, CosineScheduleAnnealsTheLearningRateTheOptimizerUses) {
  TempDir dir;
  Json config = toy_config(4);
  config["train"]["lr"] = 0.01;
  config["train"]["lr_schedule"] = "cosine";
  const auto result = aekit::train::train(config, toy_data(), RunPaths(dir / "run"), quiet());
  ASSERT_EQ(result.history.size(), 4u);
  for (int64_t epoch = 0; epoch < 4; ++epoch) {
    const double done = static_cast<double>(epoch * 13 + 12) / 52.0;
    EXPECT_NEAR(result.history[epoch]["lr"].get<double>(), 0.005 * (1 + std::cos(M_PI * done)),
                1e-12);
  }
  EXPECT_LT(result.history[3]["lr"].get<double>(), 1e-4);
  // The optimizer steps by it: from the same epoch-3 weights, plain SGD moves them far less in
  // the 4th epoch of a cosine schedule (rates 0.15 lr down to 0) than at the constant rate.
  Json sgd = toy_config(3);
  sgd["train"]["optimizer"] = "sgd";
  sgd["train"]["lr"] = 0.5;
  aekit::train::train(sgd, toy_data(), RunPaths(dir / "constant"), quiet());
  std::filesystem::copy(dir / "constant", dir / "cosine");
  const auto before = aekit::train::load_run(dir / "constant", torch::kCPU).model->parameters();
  const auto movement = [&](const std::string& schedule, const std::string& name) {
    Json more = sgd;
    more["train"]["epochs"] = 4;
    more["train"]["lr_schedule"] = schedule;
    const auto after =
        aekit::train::train(more, toy_data(), RunPaths(dir / name), quiet(true)).model->parameters();
    double moved = 0;
    for (size_t i = 0; i < after.size(); ++i) moved += (after[i] - before[i]).square().sum().item<double>();
    return std::sqrt(moved);
  };
  const double constant_move = movement("constant", "constant");
  const double cosine_move = movement("cosine", "cosine");
  EXPECT_GT(constant_move, 0);
  EXPECT_LT(cosine_move, 0.3 * constant_move) << constant_move;
  // The constant schedule keeps lr.
  const auto constant = aekit::train::train(toy_config(1), toy_data(), RunPaths(dir / "flat"), quiet());
  EXPECT_EQ(constant.history[0]["lr"].get<double>(), 0.001);
}

// train.clip_norm bounds each step: plain SGD with a learning rate of 1e30 overflows within an
// epoch, and trains when every gradient is scaled down to a norm of 1e-33 (steps of at most 1e-3).
TEST(Trainer, ClipNormBoundsTheStepsThatWouldOverflow) {
  TempDir dir;
  Json config = toy_config(1);
  config["train"]["optimizer"] = "sgd";
  config["train"]["lr"] = 1e30;
  EXPECT_THROW(aekit::train::train(config, toy_data(), RunPaths(dir / "free"), quiet()),
               aekit::RuntimeError);
  config["train"]["clip_norm"] = 1e-33;
  const auto clipped = aekit::train::train(config, toy_data(), RunPaths(dir / "clipped"), quiet());
  EXPECT_TRUE(std::isfinite(clipped.history[0]["train_loss"].get<double>()));
  EXPECT_TRUE(std::isfinite(clipped.history[0]["validation_loss"].get<double>()));
  // Bad values name the key.
  Json bad = toy_config(1);
  bad["train"]["lr_schedule"] = "step";
  EXPECT_INPUT_ERROR(aekit::train::resolve_config(bad),
                     "config key 'train.lr_schedule': unknown schedule 'step'; valid: constant, "
                     "cosine");
  bad = toy_config(1);
  bad["train"]["clip_norm"] = -1;
  EXPECT_INPUT_ERROR(aekit::train::resolve_config(bad),
                     "config key 'train.clip_norm': expected 0 (off) or a number > 0, found -1");
}

TEST(Trainer, ResumeWithAnotherOptimizerIsAnError) {
  TempDir dir;
  const auto data = toy_data();
  aekit::train::train(toy_config(1), data, RunPaths(dir / "run"), quiet());
  Json config = toy_config(2);
  config["train"]["optimizer"] = "sgd";
  EXPECT_INPUT_ERROR(aekit::train::train(config, data, RunPaths(dir / "run"), quiet(true)),
                     "config key 'train.optimizer' is 'sgd' but the checkpoint holds 'adam' state");
}

// Found by fuzzing: LibTorch's loader crashes on some corrupted archives; the checksum stops them.
TEST(Checkpoint, CorruptedOrTruncatedCheckpointIsRejectedBeforeLibTorchReadsIt) {
  TempDir dir;
  aekit::train::train(toy_config(1), toy_data(), RunPaths(dir / "run"), quiet());
  const std::string good = aekit::testing::read_bytes(dir / "run" / "checkpoint.pt");
  std::string flipped = good;
  flipped[good.size() / 2] = static_cast<char>(flipped[good.size() / 2] ^ 0x20);
  aekit::testing::write_bytes(dir / "flipped.pt", flipped);
  EXPECT_INPUT_ERROR(aekit::train::read_checkpoint_state(dir / "flipped.pt"), "checksum mismatch: the file is corrupted");
  aekit::testing::write_bytes(dir / "short.pt", good.substr(0, good.size() - 100));
  EXPECT_INPUT_ERROR(aekit::train::read_checkpoint_state(dir / "short.pt"), "truncated?");
  EXPECT_EQ(aekit::train::read_checkpoint_state(dir / "run" / "checkpoint.pt").epoch, 1);
}

TEST(Checkpoint, CorruptFileIsAnInputError) {
  TempDir dir;
  aekit::testing::write_bytes(dir / "checkpoint.pt", "not a zip archive at all");
  EXPECT_INPUT_ERROR(aekit::train::read_checkpoint_state(dir / "checkpoint.pt"), "not a readable checkpoint");
  EXPECT_INPUT_ERROR(aekit::train::load_run(dir / "nowhere", torch::kCPU), "no checkpoint.pt here");
}

// The model says how its step runs; the trainer refuses a precision the model cannot train in,
// naming the config key and what the precision needs, before writing anything.
TEST(Trainer, PrecisionTheModelCannotTrainInIsAnInputErrorBeforeAnythingIsWritten) {
  const auto data = toy_data();
  const auto refused = [&](const Json& model, const std::string& needs) {
    TempDir dir;
    Json user{{"model", model},
              {"train", {{"epochs", 1}, {"batch_size", 32}, {"precision", "bfloat16"}}},
              {"runtime", {{"device", "cpu"}}}};
    try {
      aekit::train::train(aekit::train::resolve_config(user), data, RunPaths(dir / "run"), quiet());
      ADD_FAILURE() << "trained " << model.dump() << " in bfloat16";
    } catch (const aekit::InputError& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("config key 'train.precision': \"bfloat16\" needs"), std::string::npos) << message;
      EXPECT_NE(message.find(needs), std::string::npos) << message;
    }
    EXPECT_FALSE(std::filesystem::exists(dir / "run" / "checkpoint.pt"));
  };
  refused(Json{{"type", "ae"}, {"encoder", {8}}, {"latent_dim", 2}}, "trains in \"float32\" only");
  refused(Json{{"type", "vae"}, {"encoder", {8}}, {"latent_dim", 2}, {"noise", "gaussian"}},
          "the MLP VAE's fused step");
  // The same VAE without noise has a fused step in either precision.
  const auto vae = aekit::models::make_model(
      aekit::train::resolve_config(Json{{"model", {{"encoder", {8}}, {"latent_dim", 2}}}})["model"], {16});
  EXPECT_TRUE(vae->training_step(aekit::Precision::kFloat32).fused);
  EXPECT_TRUE(vae->training_step(aekit::Precision::kBFloat16).supported);
  const auto ae = aekit::models::make_model(
      aekit::train::resolve_config(Json{{"model", {{"type", "ae"}, {"encoder", {8}}, {"latent_dim", 2}}}})["model"], {16});
  EXPECT_FALSE(ae->training_step(aekit::Precision::kFloat32).fused);
  EXPECT_TRUE(ae->training_step(aekit::Precision::kFloat32).supported);
}
