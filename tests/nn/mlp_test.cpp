#include "aekit/nn/mlp.h"

#include "../support/test_support.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

using aekit::nn::Activation;
using aekit::nn::Mlp;
using aekit::nn::MlpOptions;

TEST(Mlp, ShapesAndParameterCount) {
  Mlp mlp(MlpOptions({784, 400, 20}));
  EXPECT_EQ(mlp->forward(torch::zeros({3, 784})).sizes(), (std::vector<int64_t>{3, 20}));
  int64_t count = 0;
  for (const auto& p : mlp->parameters()) count += p.numel();
  EXPECT_EQ(count, 784 * 400 + 400 + 400 * 20 + 20);
}

TEST(Mlp, ActivationOnlyBetweenLayersUnlessAskedForOutput) {
  torch::manual_seed(0);
  Mlp plain(MlpOptions({4, 8, 3}).activation(Activation::kRelu));
  const torch::Tensor x = torch::randn({64, 4});
  EXPECT_TRUE(plain->forward(x).lt(0).any().item<bool>());  // linear output can be negative
  Mlp activated(MlpOptions({4, 8, 3}).activation(Activation::kRelu).activate_output(true));
  EXPECT_FALSE(activated->forward(x).lt(0).any().item<bool>());
}

// Autograd's gradients of every parameter against central finite differences, in double precision.
TEST(Mlp, GradientsMatchFiniteDifferences) {
  torch::manual_seed(2);
  for (const auto activation : {Activation::kSelu, Activation::kTanh, Activation::kSigmoid}) {
    Mlp mlp(MlpOptions({5, 7, 3}).activation(activation));
    mlp->to(torch::kFloat64);
    const torch::Tensor x = torch::randn({4, 5}, torch::kFloat64);
    const auto loss_of = [&] { return mlp->forward(x).square().sum(); };
    mlp->zero_grad();
    loss_of().backward();
    torch::NoGradGuard no_grad;
    for (auto& p : mlp->parameters()) {
      const torch::Tensor flat = p.view({-1});
      const torch::Tensor grad = p.grad().view({-1});
      for (int64_t i = 0; i < flat.numel(); i += 3) {
        const double saved = flat[i].item<double>();
        flat[i] = saved + 1e-6;
        const double up = loss_of().item<double>();
        flat[i] = saved - 1e-6;
        const double down = loss_of().item<double>();
        flat[i] = saved;
        EXPECT_NEAR(grad[i].item<double>(), (up - down) / 2e-6, 1e-5);
      }
    }
  }
}

TEST(Mlp, RejectsBadSizes) {
  EXPECT_INPUT_ERROR(Mlp(MlpOptions({10})), "expected at least an input and an output size");
  EXPECT_INPUT_ERROR(Mlp(MlpOptions({10, 0, 3})), "expected every size >= 1");
}

TEST(Activation, UnknownNameListsValidOnes) {
  EXPECT_INPUT_ERROR(aekit::nn::parse_activation("swish", "config key 'model.activation'"),
                     "config key 'model.activation': unknown activation 'swish'; valid: relu, selu, "
                     "sigmoid, tanh, linear, elu, leaky_relu");
}
