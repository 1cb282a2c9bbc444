// The conditional VAE (cvae, conv_cvae): the label enters encoder and decoder, is required and
// checked, and a trained model draws the class it is asked for in the style its code gives.
#include "aekit/core/error.h"
#include "aekit/models/autoencoder.h"
#include "aekit/train/run_config.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using aekit::Json;
using aekit::models::make_model;

namespace {

Json conditional(const std::string& type, int64_t classes, const Json& keys = Json::object()) {
  Json user = {{"model", keys}};
  user["model"]["type"] = type;
  user["model"]["classes"] = classes;
  return aekit::train::resolve_config(user)["model"];
}

torch::Tensor labels(std::vector<int64_t> values) {
  return torch::tensor(values, torch::kInt64);
}

}  // namespace

TEST(Conditional, TheClassIsRequiredCheckedAndChangesTheDecoding) {
  torch::manual_seed(0);
  for (const std::string type : {"cvae", "conv_cvae"}) {
    SCOPED_TRACE(type);
    auto model = make_model(conditional(type, 3), {1, 8, 8});
    ASSERT_EQ(model->classes(), 3);
    const torch::Tensor x = torch::rand({3, 1, 8, 8});
    // No class given yet.
    EXPECT_THROW(model->forward(x), aekit::InputError);
    model->set_condition(labels({0, 1, 2}));
    const auto out = model->forward(x);
    EXPECT_EQ(out.output.sizes(), x.sizes());
    EXPECT_EQ(model->encode(x).sizes(), (std::vector<int64_t>{3, model->latent_dim()}));
    // k importance samples of the 3 examples: the 3 labels repeat for each sample.
    const auto posterior = model->posterior(x);
    EXPECT_EQ(aekit::models::log_importance_weights(*model, x, posterior, 4).sizes(),
              (std::vector<int64_t>{4, 3}));
    // The same codes under two classes decode differently; one label covers every row.
    const torch::Tensor z = torch::randn({3, model->latent_dim()});
    model->set_condition(labels({0}));
    const torch::Tensor under_0 = model->decode(z);
    model->set_condition(labels({1}));
    const torch::Tensor under_1 = model->decode(z);
    EXPECT_GT((under_0 - under_1).abs().max().item<double>(), 1e-4);
    model->set_condition(labels({1, 1, 1}));
    EXPECT_TRUE(torch::equal(model->decode(z), under_1));
    // Two labels for three rows, and classes out of range.
    model->set_condition(labels({0, 1}));
    EXPECT_THROW(model->decode(z), aekit::InputError);
    EXPECT_THROW(model->set_condition(labels({3})), aekit::InputError);
    EXPECT_THROW(model->set_condition(labels({-1, 0})), aekit::InputError);
    EXPECT_THROW(model->set_condition(torch::Tensor()), aekit::InputError);
  }
}

TEST(Conditional, UnconditionalModelsIgnoreTheCondition) {
  Json user = {{"model", {{"type", "vae"}}}};
  auto model = make_model(aekit::train::resolve_config(user)["model"], {1, 8, 8});
  EXPECT_EQ(model->classes(), 0);
  model->set_condition(labels({5}));
  EXPECT_FALSE(model->condition().defined());
  EXPECT_EQ(model->decode(torch::randn({2, model->latent_dim()})).size(0), 2);
}

// Three classes, each one fixed 8x8 pattern drawn at a brightness of its own (the style). A
// trained cvae must draw the requested pattern from any prior code, and its codes must hold the
// brightness.
TEST(Conditional, DrawsTheRequestedClassAndCodesWhatTheClassDoesNotSay) {
  torch::manual_seed(3);
  const int64_t classes = 3;
  const int64_t n = 600;
  const torch::Tensor patterns = (torch::rand({classes, 64}) < 0.4).to(torch::kFloat32);
  const torch::Tensor y = torch::arange(n, torch::kInt64) % classes;
  const torch::Tensor brightness = torch::rand({n, 1}) * 0.7 + 0.3;
  const torch::Tensor x = (patterns.index_select(0, y) * brightness).view({n, 1, 8, 8});

  auto model = make_model(conditional("cvae", classes, {{"encoder", {64}}, {"latent_dim", 2}}),
                          {1, 8, 8});
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(3e-3));
  model->train();
  for (int64_t epoch = 0; epoch < 60; ++epoch) {
    const torch::Tensor order = torch::randperm(n, torch::kInt64);
    for (int64_t begin = 0; begin < n; begin += 50) {
      const torch::Tensor rows = order.slice(0, begin, begin + 50);
      model->set_condition(y.index_select(0, rows));
      optimizer.zero_grad();
      model->training_loss(x.index_select(0, rows), x.index_select(0, rows)).total.backward();
      optimizer.step();
    }
  }
  model->eval();
  torch::NoGradGuard no_grad;
  const int64_t m = 200;
  const torch::Tensor z = torch::randn({m, 2});
  for (int64_t c = 0; c < classes; ++c) {
    model->set_condition(labels({c}));
    const torch::Tensor drawn = model->decode(z).view({m, 64});
    // The pattern each drawing correlates with best.
    const torch::Tensor centred = drawn - drawn.mean(1, true);
    const torch::Tensor p = patterns - patterns.mean(1, true);
    const torch::Tensor nearest = centred.matmul(p.t()).argmax(1);
    EXPECT_GE(nearest.eq(c).to(torch::kFloat64).mean().item<double>(), 0.99) << "class " << c;
  }
  // What the class does not say, the code does: reconstructions keep each example's brightness.
  model->set_condition(y);
  const torch::Tensor rebuilt = model->decode(model->encode(x)).view({n, 64});
  const torch::Tensor on = patterns.index_select(0, y).gt(0.5);
  const torch::Tensor level = (rebuilt * on).sum(1) / on.sum(1);
  const double correlation =
      torch::corrcoef(torch::stack({level, brightness.view({n})}))[0][1].item<double>();
  EXPECT_GT(correlation, 0.95);
}
