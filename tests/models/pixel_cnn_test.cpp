// The gated PixelCNN prior: each position's logits depend on the positions before it in raster
// order and on nothing else, a grid's first rows give the whole grid's logits for them, and it
// learns a distribution over grids that a product of independent positions cannot express.
#include "aekit/core/error.h"
#include "aekit/models/pixel_cnn.h"
#include "aekit/models/vq_vae.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using aekit::models::GatedPixelCnn;
using aekit::models::GatedPixelCnnOptions;

TEST(PixelCnn, EachPositionSeesOnlyThePositionsBeforeIt) {
  torch::manual_seed(0);
  GatedPixelCnn prior(GatedPixelCnnOptions(5).channels(8).layers(3));
  prior->eval();
  torch::NoGradGuard no_grad;
  const int64_t rows = 5;
  const int64_t columns = 6;
  const torch::Tensor codes = torch::randint(5, {2, rows, columns}, torch::kInt64);
  const torch::Tensor logits = prior->forward(codes);
  ASSERT_EQ(logits.sizes(), (std::vector<int64_t>{2, 5, rows, columns}));
  for (int64_t p = 0; p < rows * columns; ++p) {
    SCOPED_TRACE("changed position " + std::to_string(p));
    torch::Tensor changed = codes.clone();
    changed.select(1, p / columns).select(1, p % columns).add_(1).remainder_(5);
    // Positions in raster order: 0 .. rows * columns - 1.
    const torch::Tensor difference =
        (prior->forward(changed) - logits).abs().amax({0, 1}).flatten();
    EXPECT_LT(difference.slice(0, 0, p + 1).max().item<double>(), 1e-6);
    if (p + 1 < rows * columns) {
      // The next position sees it.
      EXPECT_GT(difference[p + 1].item<double>(), 1e-6);
    }
  }
  // The first r rows alone give the same logits for those rows.
  for (int64_t r = 1; r <= rows; ++r) {
    EXPECT_TRUE(torch::allclose(prior->forward(codes.narrow(1, 0, r)), logits.narrow(2, 0, r),
                                1e-5, 1e-6));
  }
}

TEST(PixelCnn, LearnsGridsWhosePositionsAgree) {
  // Every grid holds one value c (uniform over K) at every position: independent positions
  // cannot do better than the uniform 16 ln K nats, the right model needs only ln K.
  torch::manual_seed(1);
  const int64_t k = 6;
  GatedPixelCnn prior(GatedPixelCnnOptions(k).channels(16).layers(3));
  torch::optim::Adam optimizer(prior->parameters(), torch::optim::AdamOptions(3e-3));
  const auto grids = [k](int64_t n) {
    return torch::randint(k, {n, 1, 1}, torch::kInt64).expand({n, 4, 4}).contiguous();
  };
  for (int step = 0; step < 300; ++step) {
    optimizer.zero_grad();
    prior->negative_log_likelihood(grids(64)).mean().backward();
    optimizer.step();
  }
  prior->eval();
  const double uniform = 16 * std::log(static_cast<double>(k));
  const double nll = prior->negative_log_likelihood(grids(500)).mean().item<double>();
  EXPECT_LT(nll, std::log(static_cast<double>(k)) + 1.0) << "uniform " << uniform;
  const torch::Tensor samples = prior->sample(200, 4, 4, /*batch=*/64);
  ASSERT_EQ(samples.sizes(), (std::vector<int64_t>{200, 4, 4}));
  EXPECT_GE(samples.min().item<int64_t>(), 0);
  EXPECT_LT(samples.max().item<int64_t>(), k);
  const torch::Tensor constant = samples.eq(samples.select(1, 0).select(1, 0).view({-1, 1, 1})).all(2).all(1);
  EXPECT_GT(constant.to(torch::kFloat64).mean().item<double>(), 0.9);
  // Every value is drawn: the first position follows the uniform distribution of c.
  EXPECT_EQ(std::get<0>(torch::_unique(samples.select(1, 0).select(1, 0))).numel(), k);
}

TEST(PixelCnn, VqVaeCodesOfIndicesAreWhatEncodeGives) {
  torch::manual_seed(2);
  aekit::models::VqVae model(aekit::models::VqVaeOptions({1, 12, 12}).filters({8, 8}).embedding_dim(4).codebook_size(16));
  model->train();
  const torch::Tensor x = torch::rand({3, 1, 12, 12});
  model->forward(x);  // seeds the codebook
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor indices = model->code_indices(x);
  EXPECT_EQ(indices.sizes(), (std::vector<int64_t>{3, 3, 3}));
  EXPECT_EQ(model->code_grid(), (std::vector<int64_t>{3, 3}));
  EXPECT_TRUE(torch::equal(model->codes_of_indices(indices), model->encode(x)));
  EXPECT_THROW(model->codes_of_indices(indices.narrow(1, 0, 2)), aekit::InputError);
}
