#include "aekit/train/classifier.h"

#include "aekit/core/error.h"
#include "aekit/core/runtime.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>

namespace aekit::train {

namespace {

double accuracy(models::AutoencoderImpl& encoder, torch::nn::Linear& head,
                const data::Dataset& data, const torch::Device& device) {
  torch::NoGradGuard no_grad;
  int64_t correct = 0;
  for (int64_t begin = 0; begin < data.size(); begin += 1000) {
    const data::Dataset batch = data.slice(begin, std::min(begin + 1000, data.size()));
    const torch::Tensor predicted =
        head->forward(encoder.encode(batch.features.to(device))).argmax(1);
    correct += predicted.eq(batch.labels.to(device)).sum().item<int64_t>();
  }
  return data.size() > 0 ? static_cast<double>(correct) / static_cast<double>(data.size()) : 0.0;
}

}  // namespace

ClassifierResult train_classifier(models::AutoencoderImpl& encoder, const data::Dataset& train,
                                  const data::Dataset& test, const ClassifierOptions& options,
                                  const torch::Device& device) {
  AEKIT_CHECK_INPUT(train.has_labels() && test.has_labels(),
                    "classifier: the training and test data need labels");
  AEKIT_CHECK_INPUT(
      options.labelled >= 1 && options.labelled <= train.size(),
      "classifier: expected between 1 and {} labelled examples (the training split), found {}",
      train.size(), options.labelled);
  AEKIT_CHECK_INPUT(options.epochs >= 1 && options.head_epochs >= 0 && options.batch_size >= 1 &&
                        options.lr > 0 && options.encoder_lr_scale >= 0,
                    "classifier: expected epochs >= 1, head epochs >= 0, batch size >= 1, a "
                    "learning rate > 0 and an "
                    "encoder learning-rate scale >= 0");
  ClassifierResult result;
  result.labelled = options.labelled;
  result.classes =
      std::max(train.labels.max().item<int64_t>(), test.labels.max().item<int64_t>()) + 1;

  auto chooser = at::detail::createCPUGenerator(options.seed);
  const data::Dataset labelled = train.select(
      torch::randperm(train.size(), chooser, torch::kInt64).slice(0, 0, options.labelled));

  seed_everything(options.seed);
  torch::nn::Linear head(encoder.latent_dim(), result.classes);
  head->to(device);
  const int64_t n = labelled.size();
  // Epochs of mini-batch steps; the encoder learns only when `tune_encoder`.
  const auto run_epochs = [&](int64_t epochs, torch::optim::Optimizer& optimizer,
                              bool tune_encoder) {
    for (int64_t epoch = 0; epoch < epochs; ++epoch) {
      encoder.train(tune_encoder);
      const torch::Tensor order = torch::randperm(n, chooser, torch::kInt64);
      for (int64_t begin = 0; begin < n; begin += options.batch_size) {
        const data::Dataset batch =
            labelled.select(order.slice(0, begin, std::min(begin + options.batch_size, n)));
        optimizer.zero_grad();
        torch::Tensor codes;
        {
          torch::AutoGradMode grad_mode(tune_encoder);
          codes = encoder.encode(batch.features.to(device));
        }
        torch::cross_entropy_loss(head->forward(codes), batch.labels.to(device)).backward();
        optimizer.step();
      }
    }
  };
  // First the softmax layer alone on the fixed codes, so that its first random gradients do not
  // undo what the encoder learned; then, unless frozen, everything together.
  torch::optim::Adam head_optimizer(head->parameters(), torch::optim::AdamOptions(options.lr));
  run_epochs(options.freeze ? options.epochs : options.head_epochs, head_optimizer, false);
  if (!options.freeze) {
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(head->parameters(),
                        std::make_unique<torch::optim::AdamOptions>(options.lr));
    groups.emplace_back(encoder.parameters(), std::make_unique<torch::optim::AdamOptions>(
                                                  options.lr * options.encoder_lr_scale));
    torch::optim::Adam optimizer(std::move(groups), torch::optim::AdamOptions(options.lr));
    run_epochs(options.epochs, optimizer, true);
  }
  encoder.eval();
  result.train_accuracy = accuracy(encoder, head, labelled, device);
  result.test_accuracy = accuracy(encoder, head, test, device);
  return result;
}

}  // namespace aekit::train
