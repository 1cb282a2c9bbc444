// What makes each family that family, checked on its structure: shapes, exact parameter counts,
// weight tying, the objective's pieces (reduction, noise, sparsity), and PCA.
#include "aekit/data/synthetic.h"
#include "aekit/models/autoencoder.h"
#include "aekit/models/conv_autoencoder.h"
#include "aekit/models/pca.h"
#include "aekit/models/tied_autoencoder.h"
#include "aekit/train/run_config.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using aekit::Json;
using aekit::models::make_model;
using aekit::models::parameter_count;

namespace {

Json family(const std::string& type, const Json& keys = Json::object()) {
  Json user = {{"model", keys}};
  user["model"]["type"] = type;
  return aekit::train::resolve_config(user)["model"];
}

void copy_parameters(torch::nn::Module& to, const torch::nn::Module& from) {
  torch::NoGradGuard no_grad;
  const auto source = from.named_parameters();
  for (auto& p : to.named_parameters()) p.value().copy_(source[p.key()]);
}

}  // namespace

TEST(Families, EveryFamilyRoundTripsShapesAndDecodesToDataSpace) {
  torch::manual_seed(0);
  for (const std::string type : {"ae", "tied_ae", "conv_ae", "lstm_ae", "vae", "conv_vae"}) {
    SCOPED_TRACE(type);
    auto model = make_model(family(type), {1, 28, 28});
    const torch::Tensor x = torch::rand({3, 1, 28, 28});
    const auto out = model->forward(x);
    EXPECT_EQ(out.output.sizes(), x.sizes());
    const torch::Tensor codes = model->encode(x);
    EXPECT_EQ(codes.sizes(), (std::vector<int64_t>{3, model->latent_dim()}));
    const torch::Tensor decoded = model->decode(codes);
    EXPECT_EQ(decoded.sizes(), x.sizes());
    EXPECT_TRUE(decoded.ge(0).all().item<bool>() && decoded.le(1).all().item<bool>());
    EXPECT_EQ(model->is_generative(), type == "vae" || type == "conv_vae");
    EXPECT_TRUE(std::isfinite(model->loss(x, out).total.item<double>()));
  }
}

TEST(Families, ConvAutoencoderHasTheKerasRecipesLayersAndParameterCount) {
  auto model = make_model(family("conv_ae"), {1, 28, 28});
  // The code is the 64 x 3 x 3 map after three 2x2 poolings of 28 x 28.
  EXPECT_EQ(model->latent_dim(), 64 * 3 * 3);
  // Keras' summary of the recipe: conv 160 + 4,640 + 18,496; transposed conv 18,464 + 4,624 + 145.
  EXPECT_EQ(parameter_count(*model), 160 + 4640 + 18496 + 18464 + 4624 + 145);
  // Odd and non-square sizes come back exactly.
  auto other = make_model(family("conv_ae"), {3, 21, 30});
  const torch::Tensor x = torch::rand({2, 3, 21, 30});
  EXPECT_EQ(other->forward(x).output.sizes(), x.sizes());
  EXPECT_INPUT_ERROR(make_model(family("conv_ae"), {1, 7, 7}),
                     "expected images of at least 8 x 8 pixels");
  EXPECT_INPUT_ERROR(make_model(family("conv_ae"), {10}),
                     "expected image samples of shape [C, H, W] or [H, W]");
}

TEST(Families, ConvVaeMatchesTheKerasExampleParameterCount) {
  auto model = make_model(family("conv_vae"), {1, 28, 28});
  // Keras' VAE example: encoder 320 + 18,496 + 50,192 + 34 + 34; decoder 9,408 + 36,928 + 18,464 +
  // 289.
  EXPECT_EQ(parameter_count(*model), 320 + 18496 + 50192 + 34 + 34 + 9408 + 36928 + 18464 + 289);
  const torch::Tensor x = torch::rand({2, 1, 27, 25});
  auto odd = make_model(family("conv_vae"), {1, 27, 25});
  EXPECT_EQ(odd->forward(x).output.sizes(), x.sizes());
}

TEST(Families, RecurrentAutoencoderReadsSequencesAndImageRows) {
  auto model = make_model(family("lstm_ae"), {1, 28, 28});
  // LibTorch's LSTM: 4 gates x (hidden x (input + hidden) + 2 hidden biases).
  const auto lstm = [](int64_t in, int64_t hidden) {
    return 4 * (hidden * (in + hidden) + 2 * hidden);
  };
  EXPECT_EQ(parameter_count(*model),
            lstm(28, 100) + lstm(100, 30) + lstm(30, 100) + (100 * 28 + 28));
  auto sequences = make_model(family("lstm_ae", {{"latent_dim", 4}, {"encoder", {8}}}), {12, 3});
  const torch::Tensor x = torch::rand({5, 12, 3});
  EXPECT_EQ(sequences->forward(x).output.sizes(), x.sizes());
  EXPECT_EQ(sequences->encode(x).sizes(), (std::vector<int64_t>{5, 4}));
  // The code is the last step's state: changing only the last step changes the code.
  torch::Tensor y = x.clone();
  y.select(1, 11).add_(1.0);
  EXPECT_FALSE(sequences->encode(y).allclose(sequences->encode(x)));
  EXPECT_INPUT_ERROR(make_model(family("lstm_ae"), {3, 12, 3}), "expected samples of shape [T, F]");
}

TEST(Families, TiedWeightsHaveTheImpliedParameterCount) {
  const Json keys = {{"encoder", {100}}, {"latent_dim", 30}};
  auto tied = make_model(family("tied_ae", keys), {1, 28, 28});
  auto untied = make_model(family("ae", keys), {1, 28, 28});
  // Encoder weights and biases, plus one bias per decoder layer: the decoder's matrices are shared.
  EXPECT_EQ(parameter_count(*tied), (784 * 100 + 100) + (100 * 30 + 30) + 100 + 784);
  EXPECT_EQ(parameter_count(*untied) - parameter_count(*tied), 784 * 100 + 100 * 30);
}

TEST(Families, TiedWeightsReceiveGradientsFromEncoderAndDecoder) {
  // Tied gradient of W = gradient through the encoder + (gradient through the decoder)^T, checked
  // against an untied copy holding the same matrices.
  torch::manual_seed(3);
  const Json keys = {{"encoder", {6}},
                     {"latent_dim", 3},
                     {"activation", "tanh"},
                     {"code_activation", "tanh"},
                     {"likelihood", "gaussian"}};
  auto tied_model = make_model(family("tied_ae", keys), {10});
  auto& tied = dynamic_cast<aekit::models::TiedAutoencoderImpl&>(*tied_model);
  tied.to(torch::kFloat64);
  const torch::Tensor x = torch::randn({7, 10}, torch::kFloat64);
  tied.loss(x, tied.forward(x)).total.backward();

  const auto& layers = tied.encoder_layers();
  std::vector<torch::Tensor> w_enc;
  std::vector<torch::Tensor> w_dec;
  for (const auto& layer : layers) {
    w_enc.push_back(layer->weight.detach().clone().requires_grad_(true));
    w_dec.push_back(layer->weight.detach().t().clone().requires_grad_(true));
  }
  torch::Tensor h = x;
  for (size_t i = 0; i < layers.size(); ++i)
    h = torch::tanh(torch::nn::functional::linear(h, w_enc[i], layers[i]->bias.detach()));
  for (size_t i = layers.size(); i-- > 0;) {
    const torch::Tensor bias = tied.named_parameters()["decoder_bias" + std::to_string(i)].detach();
    h = torch::nn::functional::linear(h, w_dec[i], bias);
    if (i > 0) h = torch::tanh(h);
  }
  (h - x).square().sum(1).mean().backward();
  for (size_t i = 0; i < layers.size(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_TRUE(layers[i]->weight.grad().defined());
    const torch::Tensor expected = w_enc[i].grad() + w_dec[i].grad().t();
    EXPECT_TRUE(layers[i]->weight.grad().allclose(expected, 1e-10, 1e-12));
    // Both paths contribute: neither part alone is the whole gradient.
    EXPECT_GT(w_enc[i].grad().abs().sum().item<double>(), 0.0);
    EXPECT_GT(w_dec[i].grad().abs().sum().item<double>(), 0.0);
  }
}

TEST(Families, MeanReductionDividesEveryTermByTheFeatureCount) {
  torch::manual_seed(1);
  Json keys = {{"encoder", {8}}, {"latent_dim", 2}};
  auto summed = make_model(family("vae", keys), {1, 4, 5});
  keys["reduction"] = "mean";
  auto averaged = make_model(family("vae", keys), {1, 4, 5});
  copy_parameters(*averaged, *summed);
  const torch::Tensor x = torch::rand({6, 1, 4, 5});
  torch::manual_seed(2);
  const auto sum_terms = summed->loss(x, summed->forward(x));
  torch::manual_seed(2);
  const auto mean_terms = averaged->loss(x, averaged->forward(x));
  EXPECT_NEAR(mean_terms.reconstruction.item<double>() * 20,
              sum_terms.reconstruction.item<double>(), 1e-3);
  EXPECT_NEAR(mean_terms.kl.item<double>() * 20, sum_terms.kl.item<double>(), 1e-4);
}

TEST(Families, KlSparsityPenaltyIsZeroAtTheTargetAndPositiveElsewhere) {
  const aekit::losses::Sparsity kl{aekit::losses::SparsityKind::kKl, 0.1, 0.05};
  const torch::Tensor at_target = torch::full({8, 5}, 0.1);
  EXPECT_NEAR(aekit::losses::sparsity_penalty(kl, at_target).item<double>(), 0.0, 1e-7);
  // One unit at 0.5: 0.05 * (0.1 log 0.2 + 0.9 log 1.8).
  torch::Tensor codes = at_target.clone();
  codes.select(1, 2).fill_(0.5);
  EXPECT_NEAR(aekit::losses::sparsity_penalty(kl, codes).item<double>(),
              0.05 * (0.1 * std::log(0.2) + 0.9 * std::log(1.8)), 1e-6);
  const aekit::losses::Sparsity l1{aekit::losses::SparsityKind::kL1, 0.1, 1e-3};
  EXPECT_NEAR(aekit::losses::sparsity_penalty(l1, torch::full({4, 300}, -0.5)).item<double>(),
              1e-3 * 150, 1e-6);
}

TEST(Families, NoiseCorruptsOnlyInTraining) {
  torch::manual_seed(4);
  auto model = make_model(family("ae", {{"noise", "gaussian"}, {"noise_stddev", 0.3}}), {2000});
  const torch::Tensor x = torch::zeros({10, 2000});
  model->train();
  const torch::Tensor noisy = model->corrupt(x);
  EXPECT_NEAR(noisy.std().item<double>(), 0.3, 0.01);
  model->eval();
  EXPECT_TRUE(model->corrupt(x).equal(x));
  auto dropout = make_model(family("ae", {{"noise", "dropout"}, {"noise_dropout", 0.5}}), {2000});
  dropout->train();
  const torch::Tensor kept = dropout->corrupt(torch::ones({10, 2000}));
  EXPECT_NEAR(kept.eq(0).to(torch::kFloat64).mean().item<double>(), 0.5, 0.02);
  EXPECT_NEAR(kept.max().item<double>(), 2.0, 1e-6);  // survivors scaled by 1 / (1 - p)
}

TEST(Families, ObjectiveKeysAreCheckedByName) {
  const auto resolve = [](const Json& model) {
    return aekit::train::resolve_config(Json{{"model", model}});
  };
  EXPECT_INPUT_ERROR(resolve({{"type", "ae"}, {"noise", "salt"}}), "config key 'model.noise'");
  EXPECT_INPUT_ERROR(resolve({{"type", "ae"}, {"noise_stddev", -1}}),
                     "model.noise_stddev': expected a number >= 0, found -1");
  EXPECT_INPUT_ERROR(resolve({{"type", "ae"}, {"noise_dropout", 1.0}}),
                     "model.noise_dropout': expected a rate in [0, 1), found 1");
  EXPECT_INPUT_ERROR(resolve({{"type", "ae"}, {"sparsity_target", 0}}),
                     "model.sparsity_target': expected a mean activation in (0, 1), found 0");
  EXPECT_INPUT_ERROR(resolve({{"type", "ae"}, {"sparsity_weight", -0.1}}),
                     "model.sparsity_weight': expected a number >= 0");
  EXPECT_INPUT_ERROR(
      resolve({{"type", "ae"}, {"sparsity", "kl"}}),
      "'kl' needs codes in (0, 1), i.e. model.code_activation 'sigmoid', found 'linear'");
  EXPECT_INPUT_ERROR(resolve({{"type", "vae"}, {"sparsity", "kl"}}),
                     "found 'none (this family has no code_activation key)'");
  EXPECT_INPUT_ERROR(resolve({{"type", "ae"}, {"reduction", "max"}}),
                     "config key 'model.reduction'");
  EXPECT_INPUT_ERROR(resolve({{"type", "conv_ae"}, {"filters", {16, 0}}}),
                     "config key 'model.filters'");
  EXPECT_INPUT_ERROR(resolve({{"type", "conv_ae"}, {"latent_dim", 3}}), "model.latent_dim");
}

TEST(Pca, RecoversAPlantedSubspaceAndOrdersVariances) {
  torch::manual_seed(5);
  const torch::Tensor basis = std::get<0>(torch::linalg_qr(torch::randn({6, 2}, torch::kFloat64)));
  const torch::Tensor codes =
      torch::randn({500, 2}, torch::kFloat64) * torch::tensor({3.0, 1.0}, torch::kFloat64);
  const torch::Tensor x =
      codes.matmul(basis.t()) + 0.01 * torch::randn({500, 6}, torch::kFloat64) + 2.0;
  const auto pca = aekit::models::fit_pca(x, 2);
  EXPECT_LT(aekit::models::principal_angles_degrees(pca.components.t(), basis).max().item<double>(),
            0.5);
  EXPECT_GT(pca.explained_variance[0].item<double>(), pca.explained_variance[1].item<double>());
  EXPECT_NEAR(pca.explained_variance[0].item<double>(), 9.0, 1.5);
  EXPECT_LT(pca.reconstruction_error(x), 6 * 0.01 * 0.01 * 1.5);
  EXPECT_INPUT_ERROR(aekit::models::fit_pca(x, 7), "expected between 1 and 6 components");
}

TEST(Pca, PrincipalAnglesOfKnownPlanes) {
  // The xy-plane and a plane tilted by 30 degrees about the x axis.
  const torch::Tensor a = torch::tensor({{1.0, 0.0}, {0.0, 1.0}, {0.0, 0.0}}, torch::kFloat64);
  const double c = std::cos(M_PI / 6);
  const double s = std::sin(M_PI / 6);
  const torch::Tensor b = torch::tensor({{2.0, 0.0}, {0.0, c}, {0.0, s}}, torch::kFloat64);
  const torch::Tensor angles = aekit::models::principal_angles_degrees(a, b);
  EXPECT_NEAR(angles[0].item<double>(), 0.0, 1e-6);
  EXPECT_NEAR(angles[1].item<double>(), 30.0, 1e-6);
}

TEST(Synthetic3d, DrawsTheNotebooksPointsFromNumpysLegacyGenerator) {
  // Values printed by numpy 1.24: np.random.seed(4); X = generate_3d_data(60); X - X.mean(0), and
  // the next 60 points (the test split) centred with the same mean.
  const auto splits = aekit::data::load_synthetic_3d();
  ASSERT_EQ(splits.train.features.sizes(), (std::vector<int64_t>{60, 3}));
  ASSERT_EQ(splits.test.features.sizes(), (std::vector<int64_t>{60, 3}));
  const torch::Tensor expected_train =
      torch::tensor({{-1.0397677147468611, -0.760238460099504, -0.3328804821277156},
                     {-0.03178419392900823, 0.39026056953876914, -0.03647666589733993},
                     {0.5628569857223774, 0.4109424172969626, 0.18162183336772186}});
  const torch::Tensor expected_test =
      torch::tensor({{-1.041287021193983, -0.7805895679871167, -0.3145955071900737},
                     {0.00844835119108282, 0.3768281134618458, 0.1369631406888343}});
  const torch::Tensor rows = torch::tensor({0, 1, 59});
  EXPECT_TRUE(splits.train.features.index_select(0, rows).allclose(expected_train, 0, 1e-6));
  EXPECT_TRUE(splits.test.features.index_select(0, torch::tensor({0, 59}))
                  .allclose(expected_test, 0, 1e-6));
  EXPECT_TRUE(splits.train.features.mean(0).abs().max().item<double>() < 1e-6);
}
