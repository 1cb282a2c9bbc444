#include "aekit/eval/latent_walk.h"

#include "aekit/losses/kl.h"
#include "aekit/train/run_config.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

using aekit::eval::PathMode;

namespace {

aekit::models::Autoencoder small_model(const std::string& type, int64_t latent) {
  aekit::Json user = {{"model", {{"type", type}, {"encoder", {32}}, {"latent_dim", latent}}}};
  return aekit::models::make_model(aekit::train::resolve_config(user)["model"], {1, 8, 8});
}

}  // namespace

TEST(LatentWalk, InterpolationEndsAreTheCodesAndSlerpKeepsTheNorm) {
  torch::manual_seed(2);
  const torch::Tensor a = torch::randn({6});
  const torch::Tensor b = a.norm() * torch::nn::functional::normalize(
                                         torch::randn({6}), torch::nn::functional::NormalizeFuncOptions().dim(0));
  for (const PathMode mode : {PathMode::kLerp, PathMode::kSlerp}) {
    const torch::Tensor path = aekit::eval::interpolate_codes(a, b, 9, mode);
    ASSERT_EQ(path.sizes(), (std::vector<int64_t>{9, 6}));
    EXPECT_TRUE(torch::equal(path[0], a));
    EXPECT_TRUE(torch::equal(path[8], b));
  }
  const torch::Tensor lerp = aekit::eval::interpolate_codes(a, b, 9, PathMode::kLerp);
  EXPECT_TRUE(torch::allclose(lerp[4], (a + b) / 2, 1e-6, 1e-6));
  // Between two codes of equal norm, slerp stays on the sphere; the straight line cuts inside it.
  const torch::Tensor slerp = aekit::eval::interpolate_codes(a, b, 9, PathMode::kSlerp);
  const double radius = a.norm().item<double>();
  EXPECT_LT((slerp.norm(2, 1) - radius).abs().max().item<double>(), 1e-4 * radius);
  EXPECT_LT(lerp[4].norm().item<double>(), 0.99 * radius);
  // Equal steps along the arc: each step's chord has the same length.
  const torch::Tensor chords = (slerp.slice(0, 1) - slerp.slice(0, 0, 8)).norm(2, 1);
  EXPECT_LT((chords - chords.mean()).abs().max().item<double>(), 1e-4 * radius);
  // Parallel codes (no angle) and a zero code: slerp is the straight line.
  EXPECT_TRUE(torch::allclose(aekit::eval::interpolate_codes(a, 2 * a, 5, PathMode::kSlerp),
                              aekit::eval::interpolate_codes(a, 2 * a, 5, PathMode::kLerp), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(aekit::eval::interpolate_codes(torch::zeros({6}), b, 5, PathMode::kSlerp),
                              aekit::eval::interpolate_codes(torch::zeros({6}), b, 5, PathMode::kLerp)));
  EXPECT_INPUT_ERROR(aekit::eval::interpolate_codes(a, b, 1, PathMode::kLerp), "2 or more steps, found 1");
  EXPECT_INPUT_ERROR(aekit::eval::interpolate_codes(a, torch::zeros({5}), 4, PathMode::kLerp),
                     "two codes of equal length");
  EXPECT_INPUT_ERROR(aekit::eval::parse_path_mode("cubic", "--mode"), "--mode: expected lerp or slerp, found 'cubic'");
}

TEST(LatentWalk, KlPerDimensionAddsUpToTheKlTerm) {
  torch::manual_seed(3);
  auto vae = small_model("vae", 5);
  const torch::Tensor x = torch::rand({70, 1, 8, 8});
  const torch::Tensor kl = aekit::eval::kl_per_dimension(*vae, x, torch::kCPU, /*labels=*/{}, /*batch_size=*/32);
  ASSERT_EQ(kl.sizes(), (std::vector<int64_t>{5}));
  torch::NoGradGuard no_grad;
  const auto q = vae->posterior(x);
  const double total = aekit::losses::gaussian_kl(q.mean, q.logvar).item<double>();
  EXPECT_NEAR(kl.sum().item<double>(), total, 1e-4 * std::max(1.0, total));
  EXPECT_TRUE((kl >= 0).all().item<bool>());
  EXPECT_EQ(aekit::eval::count_active_units(torch::tensor({0.5, 0.001, 0.02, 0.0}, torch::kFloat64)), 2);
  auto ae = small_model("ae", 5);
  EXPECT_INPUT_ERROR(aekit::eval::kl_per_dimension(*ae, x, torch::kCPU), "needs a model with a posterior");
}

TEST(LatentWalk, TraversalSweepsOneDimensionPerRowInOrderOfKl) {
  torch::manual_seed(4);
  auto vae = small_model("vae", 4);
  const torch::Tensor x = torch::rand({50, 1, 8, 8});
  const torch::Tensor base = torch::randn({4});
  const auto plan = aekit::eval::plan_traversal(*vae, aekit::data::Dataset{x, {}}, base, {}, 6, torch::kCPU);
  ASSERT_EQ(plan.dims.size(), 4u);
  ASSERT_EQ(plan.codes.sizes(), (std::vector<int64_t>{24, 4}));
  const torch::Tensor kl = aekit::eval::kl_per_dimension(*vae, x, torch::kCPU);
  for (size_t r = 0; r + 1 < plan.dims.size(); ++r) {
    EXPECT_GE(kl[plan.dims[r]].item<double>(), kl[plan.dims[r + 1]].item<double>());
  }
  const torch::Tensor grid = aekit::eval::normal_quantile_grid(6).to(torch::kFloat32);
  for (int64_t r = 0; r < 4; ++r) {
    const int64_t d = plan.dims[static_cast<size_t>(r)];
    const torch::Tensor rows = plan.codes.slice(0, r * 6, (r + 1) * 6);
    EXPECT_TRUE(torch::allclose(rows.select(1, d), grid));
    // Every other dimension stays at the base code.
    const torch::Tensor others = torch::cat({rows.slice(1, 0, d), rows.slice(1, d + 1)}, 1);
    const torch::Tensor held = torch::cat({base.slice(0, 0, d), base.slice(0, d + 1)}).expand_as(others);
    EXPECT_TRUE(torch::allclose(others, held));
  }
  // Chosen dimensions, and the origin when no base is given.
  const auto two = aekit::eval::plan_traversal(*vae, aekit::data::Dataset{x, {}}, {}, {2, 0}, 3, torch::kCPU);
  EXPECT_EQ(two.codes.sizes(), (std::vector<int64_t>{6, 4}));
  EXPECT_EQ(two.codes.abs().gt(0).sum().item<int64_t>(), 4);  // only the swept values (not the middle 0)
  EXPECT_INPUT_ERROR(aekit::eval::plan_traversal(*vae, aekit::data::Dataset{x, {}}, base, {4}, 6, torch::kCPU),
                     "expected latent dimensions in [0, 4), found 4");
  EXPECT_INPUT_ERROR(aekit::eval::plan_traversal(*vae, aekit::data::Dataset{x, {}}, base, {1, 1}, 6, torch::kCPU),
                     "dimension 1 is given twice");
}

TEST(LatentWalk, DeterministicTraversalSweepsTheCodesOwnSpread) {
  torch::manual_seed(5);
  auto ae = small_model("ae", 3);
  const torch::Tensor x = torch::rand({80, 1, 8, 8});
  const auto plan = aekit::eval::plan_traversal(*ae, aekit::data::Dataset{x, {}}, {}, {}, 5, torch::kCPU);
  torch::NoGradGuard no_grad;
  const torch::Tensor codes = ae->encode(x).to(torch::kFloat64);
  const torch::Tensor variance = codes.var(0);
  EXPECT_EQ(plan.dims[0], variance.argmax().item<int64_t>());
  const int64_t d = plan.dims[0];
  // The middle step is the mean code; the ends are mean -+ 1.645 standard deviations.
  EXPECT_NEAR(plan.values[0][2].item<double>(), codes.select(1, d).mean().item<double>(), 1e-6);
  EXPECT_NEAR(plan.values[0][4].item<double>() - plan.values[0][2].item<double>(),
              1.6448536 * std::sqrt(variance[d].item<double>()), 1e-4);
  EXPECT_TRUE(torch::allclose(plan.codes[2], codes.mean(0).to(torch::kFloat32), 1e-5, 1e-6));
}
