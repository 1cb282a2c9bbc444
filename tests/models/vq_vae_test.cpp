// The VQ-VAE: codes are codebook entries, gradients pass the quantiser straight through, the
// codebook follows the means of its vectors by moving averages, and unused entries restart.
#include "aekit/models/vq_vae.h"
#include "aekit/train/run_config.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using aekit::models::VqVae;
using aekit::models::VqVaeOptions;

TEST(VqVae, CodesAreCodebookEntriesAndGradientsPassStraightThrough) {
  torch::manual_seed(0);
  VqVae model(VqVaeOptions({1, 12, 12}).filters({8, 8}).embedding_dim(4).codebook_size(16));
  EXPECT_EQ(model->latent_dim(), 4 * 3 * 3);
  // The codebook is state, not a parameter the optimizer moves.
  for (const auto& p : model->named_parameters()) EXPECT_EQ(p.key().find("codebook"), std::string::npos);
  const torch::Tensor x = torch::rand({5, 1, 12, 12});
  model->train();
  const torch::Tensor before = model->codebook().clone();
  const auto out = model->forward(x);
  EXPECT_EQ(out.output.sizes(), x.sizes());
  // The first training batch seeds the codebook (and its moving averages move it).
  EXPECT_FALSE(torch::equal(before, model->codebook()));
  // The loss reaches the encoder through the quantiser.
  const auto terms = model->loss(x, out);
  EXPECT_GT(terms.penalty.item<double>(), 0.0);
  terms.total.backward();
  const torch::Tensor grad = model->named_parameters()["encoder0.weight"].grad();
  ASSERT_TRUE(grad.defined());
  EXPECT_GT(grad.abs().sum().item<double>(), 0.0);
  // In evaluation the code of x is what forward decodes, and decoding it gives forward's output.
  model->eval();
  torch::NoGradGuard no_grad;
  const auto again = model->forward(x);
  // Every D-value piece of the decoder's input is one codebook row, the nearest to its vector.
  const torch::Tensor pieces = again.z.reshape({-1, 4});
  const torch::Tensor vectors = again.mean.reshape({-1, 4});
  const auto squared_distances = [&](const torch::Tensor& a) {
    return (a.unsqueeze(1) - model->codebook().unsqueeze(0)).square().sum(2);
  };
  EXPECT_LT(squared_distances(pieces).amin(1).max().item<double>(), 1e-10);
  EXPECT_TRUE(torch::allclose((vectors - pieces).square().sum(1),
                              squared_distances(vectors).amin(1), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(model->encode(x), again.z, 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(model->decode(model->encode(x)), torch::sigmoid(again.output), 1e-5, 1e-5));
}

TEST(VqVae, MovingAveragesBringEachEntryToTheMeanOfItsVectors) {
  torch::manual_seed(1);
  VqVae model(VqVaeOptions({1, 8, 8}).filters({4}).embedding_dim(3).codebook_size(8).decay(0.8));
  const torch::Tensor x = torch::rand({20, 1, 8, 8});
  model->train();
  torch::NoGradGuard no_grad;
  // The encoder does not change: the same vectors every step, so the codebook runs k-means on
  // them and settles where each used entry is the mean of the vectors it is nearest to.
  for (int step = 0; step < 300; ++step) model->forward(x);
  const auto out = model->forward(x);
  const torch::Tensor vectors = out.mean.reshape({-1, 3});
  const torch::Tensor index = model->code_indices(x).flatten();
  int64_t checked = 0;
  for (int64_t k = 0; k < 8; ++k) {
    const torch::Tensor mine = index.eq(k);
    if (mine.sum().item<int64_t>() == 0) continue;
    const torch::Tensor mean = vectors.index({mine}).mean(0);
    EXPECT_LT((model->codebook()[k] - mean).abs().max().item<double>(), 1e-3) << "entry " << k;
    ++checked;
  }
  EXPECT_GE(checked, 2);
  EXPECT_TRUE(torch::isfinite(model->codebook()).all().item<bool>());
  const auto usage = model->take_usage();
  EXPECT_GT(usage.perplexity, 1.0);
  EXPECT_LE(usage.perplexity, 8.0 + 1e-9);
  EXPECT_EQ(usage.used, checked);
  // A second count starts empty.
  EXPECT_EQ(model->take_usage().used, 0);
}

TEST(VqVae, EntriesNoVectorChoosesRestartAtTheBatchsVectors) {
  torch::manual_seed(2);
  VqVae model(VqVaeOptions({1, 2, 2}).filters({4}).embedding_dim(3).codebook_size(8).decay(0.5));
  model->train();
  torch::NoGradGuard no_grad;
  model->forward(torch::rand({20, 1, 2, 2}));  // seeds the codebook from 20 varied vectors
  model->take_usage();
  // Now every vector of every batch (a 2 x 2 image has one) is one and the same: one entry takes
  // them all, the other seven are chosen by none, their counts fall below 1, and they restart at
  // that vector.
  const torch::Tensor same = torch::full({4, 1, 2, 2}, 0.5);
  for (int step = 0; step < 30; ++step) model->forward(same);
  const auto usage = model->take_usage();
  EXPECT_GE(usage.restarted, 7);
  const auto out = model->forward(same);
  const torch::Tensor vector = out.mean.reshape({-1, 3})[0];
  const torch::Tensor offsets = (model->codebook() - vector).abs().amax(1);
  EXPECT_LT(offsets.max().item<double>(), 1e-4);
}

TEST(VqVae, BadCodebookSettingsNameTheKey) {
  aekit::Json user = {{"model", {{"type", "vq_vae"}, {"codebook_size", 1}}}};
  const aekit::Json model = aekit::train::resolve_config(user)["model"];
  try {
    aekit::models::make_model(model, {1, 28, 28});
    FAIL() << "expected an InputError";
  } catch (const aekit::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("config key 'model.codebook_size': expected 2 to 65536 "
                                         "entries, found 1"),
              std::string::npos)
        << e.what();
  }
}
