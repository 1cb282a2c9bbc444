#pragma once
/// Unsupervised pretraining: a classifier whose first layers are a trained autoencoder's encoder,
/// with a softmax layer on the code, trained on a few labels (the encoder frozen or fine-tuned).
///
/// Math: p(y | x) = softmax(W encode(x) + b); loss = cross-entropy, mean over the batch; Adam.
/// Fine-tuning first trains the softmax layer alone for `head_epochs`, then everything for
/// `epochs` with the encoder's learning rate scaled by `encoder_lr_scale`.
/// The same procedure on a freshly initialised model of the same family is the from-scratch
/// baseline it is compared with.

#include "aekit/data/dataset.h"
#include "aekit/models/autoencoder.h"

namespace aekit::train {

/// How the classifier is trained.
struct ClassifierOptions {
  int64_t labelled =
      500;              ///< labelled training examples, a seeded random subset of the train split
  bool freeze = false;  ///< keep the encoder's weights fixed (only the softmax layer learns)
  /// Epochs training the softmax layer alone before fine-tuning (not used when frozen).
  int64_t head_epochs = 20;
  /// Epochs of fine-tuning everything (when frozen: epochs of the softmax layer alone).
  int64_t epochs = 30;
  int64_t batch_size = 32;
  double lr = 1e-3;
  /// Learning rate of a fine-tuned encoder relative to `lr`: small values keep what pretraining
  /// learned while the softmax layer settles (ignored when frozen).
  double encoder_lr_scale = 1.0;
  uint64_t seed =
      1;  ///< chooses the labelled subset, the head's initial weights and the batch order
};

/// Accuracies of a trained classifier.
struct ClassifierResult {
  double train_accuracy = 0;  ///< on the labelled examples it was trained on
  double test_accuracy = 0;
  int64_t labelled = 0;
  int64_t classes = 0;
};

/// Trains a classifier on `options.labelled` examples of `train` with `encoder` as its first
/// layers (its weights change unless options.freeze) and scores it on `test`. Both datasets need
/// labels. Throws InputError naming what is missing.
///
/// Example:
///   auto run = aekit::train::load_run("runs/stacked", torch::kCPU);
///   auto result = aekit::train::train_classifier(*run.model, splits.train, splits.test, {},
///   torch::kCPU);
ClassifierResult train_classifier(models::AutoencoderImpl& encoder, const data::Dataset& train,
                                  const data::Dataset& test, const ClassifierOptions& options,
                                  const torch::Device& device);

}  // namespace aekit::train
