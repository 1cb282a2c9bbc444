// The fast paths of the training step against LibTorch's own: FusedAdam against
// torch::optim::Adam, and the MLP VAE's hand-derived backward against autograd.
#include "aekit/models/autoencoder.h"
#include "aekit/kernels/fused_adam.h"
#include "aekit/kernels/matmul.h"
#include "aekit/train/run_config.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace {

constexpr auto kFloat32 = aekit::Precision::kFloat32;

aekit::models::Autoencoder make_vae(const aekit::Json& keys, uint64_t seed) {
  aekit::Json model = keys;
  model["type"] = "vae";
  const aekit::Json resolved = aekit::train::resolve_config(aekit::Json{{"model", model}})["model"];
  torch::manual_seed(seed);
  auto vae = aekit::models::make_model(resolved, {1, 6, 5});
  vae->train();
  return vae;
}

}  // namespace

TEST(FusedAdam, MatchesTorchAdamStepForStepAndSharesItsCheckpoints) {
  torch::manual_seed(1);
  const torch::Tensor start = torch::randn({300});
  torch::Tensor a = start.clone().requires_grad_(true);
  torch::Tensor b = start.clone().requires_grad_(true);
  const auto options = torch::optim::AdamOptions(0.01).weight_decay(0.1);
  aekit::kernels::FusedAdam fused({a}, options);
  torch::optim::Adam reference({b}, options);
  for (int step = 0; step < 20; ++step) {
    const torch::Tensor grad = torch::randn({300}) * (step + 1);
    a.mutable_grad() = grad.clone();
    b.mutable_grad() = grad.clone();
    fused.step();
    reference.step();
    ASSERT_TRUE(torch::allclose(a, b, 1e-5, 1e-6)) << "step " << step;
  }
  // The state is Adam's: saved by one, loaded by the other, they go on alike.
  aekit::testing::TempDir dir;
  torch::save(fused, (dir / "adam.pt").string());
  torch::Tensor c = a.detach().clone().requires_grad_(true);
  torch::optim::Adam restored({c}, options);
  torch::load(restored, (dir / "adam.pt").string());
  const torch::Tensor grad = torch::randn({300});
  a.mutable_grad() = grad.clone();
  c.mutable_grad() = grad.clone();
  fused.step();
  restored.step();
  EXPECT_TRUE(torch::allclose(a, c, 1e-5, 1e-6));
}

TEST(FusedStep, MlpVaeGradientsEqualAutograd) {
  using aekit::Json;
  const std::vector<Json> cases = {
      Json{{"encoder", {16, 8}}, {"latent_dim", 3}},
      Json{{"encoder", Json::array()}, {"latent_dim", 2}, {"likelihood", "gaussian"},
           {"reduction", "mean"}, {"beta", 0.5}},
      Json{{"encoder", {12}}, {"decoder", {10, 6}}, {"latent_dim", 4}, {"reduction", "mean"},
           {"beta", 2.0}},
  };
  for (size_t c = 0; c < cases.size(); ++c) {
    auto autograd_model = make_vae(cases[c], 3);
    auto fused_model = make_vae(cases[c], 3);
    torch::manual_seed(4);
    const torch::Tensor x = torch::rand({9, 1, 6, 5});
    torch::manual_seed(5);
    const auto expected = autograd_model->training_loss(x, x);
    expected.total.backward();
    torch::manual_seed(5);
    aekit::models::LossTerms terms;
    ASSERT_TRUE(fused_model->fused_training_step(x, kFloat32, terms)) << "case " << c;
    EXPECT_NEAR(terms.total.item<double>(), expected.total.item<double>(),
                1e-5 * std::abs(expected.total.item<double>()))
        << "case " << c;
    EXPECT_NEAR(terms.kl.item<double>(), expected.kl.item<double>(), 1e-4) << "case " << c;
    const auto reference = autograd_model->named_parameters();
    for (const auto& item : fused_model->named_parameters()) {
      const torch::Tensor& want = reference[item.key()].grad();
      const torch::Tensor& got = item.value().grad();
      ASSERT_TRUE(got.defined()) << item.key();
      EXPECT_TRUE(torch::allclose(got, want, 1e-4, 1e-6))
          << "case " << c << ", " << item.key() << ": max difference "
          << (got - want).abs().max().item<double>();
    }
  }
}

TEST(FusedStep, ClampedLogVarianceGetsNoGradientAsInAutograd) {
  auto autograd_model = make_vae(aekit::Json{{"encoder", {8}}, {"latent_dim", 2}}, 6);
  auto fused_model = make_vae(aekit::Json{{"encoder", {8}}, {"latent_dim", 2}}, 6);
  for (auto* model : {&autograd_model, &fused_model}) {
    torch::NoGradGuard no_grad;
    (*model)->named_parameters()["logvar.bias"].fill_(40.0);  // beyond kMaxLogvar = 20
  }
  const torch::Tensor x = torch::rand({5, 1, 6, 5});
  torch::manual_seed(7);
  autograd_model->training_loss(x, x).total.backward();
  torch::manual_seed(7);
  aekit::models::LossTerms terms;
  ASSERT_TRUE(fused_model->fused_training_step(x, kFloat32, terms));
  const torch::Tensor got = fused_model->named_parameters()["logvar.bias"].grad();
  EXPECT_TRUE(torch::equal(got, torch::zeros_like(got)));
  EXPECT_TRUE(torch::equal(got, autograd_model->named_parameters()["logvar.bias"].grad()));
}

TEST(FusedStep, FamiliesAndSettingsWithoutItFallBackToAutograd) {
  const torch::Tensor x = torch::rand({4, 1, 6, 5});
  aekit::models::LossTerms terms;
  EXPECT_FALSE(make_vae(aekit::Json{{"activation", "selu"}}, 1)->fused_training_step(x, kFloat32, terms));
  EXPECT_FALSE(make_vae(aekit::Json{{"noise", "gaussian"}}, 1)->fused_training_step(x, kFloat32, terms));
  EXPECT_FALSE(
      make_vae(aekit::Json{{"importance_samples", 4}}, 1)->fused_training_step(x, kFloat32, terms));
  auto eval_mode = make_vae(aekit::Json::object(), 1);
  eval_mode->eval();
  EXPECT_FALSE(eval_mode->fused_training_step(x, kFloat32, terms));
  const aekit::Json ae = aekit::train::resolve_config(aekit::Json{{"model", {{"type", "ae"}}}})["model"];
  EXPECT_FALSE(aekit::models::make_model(ae, {1, 6, 5})->fused_training_step(x, kFloat32, terms));
}

// bfloat16 operands: the same step up to the operands' rounding (8-bit mantissa): every gradient
// within 10% (relative norm) of float32's, but not bit-equal (the rounding did happen), and the product
// itself equals float32 products of the rounded operands.
TEST(FusedStep, BFloat16ProductsStayCloseToFloat32) {
  const aekit::Json keys{{"encoder", {64}}, {"latent_dim", 4}};
  auto wide = make_vae(keys, 8);
  auto narrow = make_vae(keys, 8);
  torch::manual_seed(9);
  const torch::Tensor x = torch::rand({32, 1, 6, 5});
  aekit::models::LossTerms a, b;
  torch::manual_seed(10);
  ASSERT_TRUE(wide->fused_training_step(x, kFloat32, a));
  torch::manual_seed(10);
  ASSERT_TRUE(narrow->fused_training_step(x, aekit::Precision::kBFloat16, b));
  EXPECT_NEAR(b.total.item<double>(), a.total.item<double>(), 0.01 * a.total.item<double>());
  const auto reference = wide->named_parameters();
  bool any_different = false;
  for (const auto& item : narrow->named_parameters()) {
    const torch::Tensor& want = reference[item.key()].grad();
    const torch::Tensor& got = item.value().grad();
    const double error = ((got - want).norm() / want.norm()).item<double>();
    EXPECT_LT(error, 0.1) << item.key();
    any_different = any_different || !torch::equal(got, want);
  }
  EXPECT_TRUE(any_different);
  const torch::Tensor p = torch::randn({7, 33}), q = torch::randn({33, 5});
  torch::Tensor out = torch::empty({7, 5});
  aekit::kernels::matmul_out(out, aekit::kernels::as_operand(p, aekit::Precision::kBFloat16),
                        aekit::kernels::as_operand(q.t().contiguous(), aekit::Precision::kBFloat16).t());
  const torch::Tensor expected =
      p.to(torch::kBFloat16).to(torch::kFloat32).mm(q.to(torch::kBFloat16).to(torch::kFloat32));
  EXPECT_TRUE(torch::allclose(out, expected, 1e-5, 1e-5));
}
