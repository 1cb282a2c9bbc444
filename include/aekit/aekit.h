#pragma once
/// aekit: autoencoders and variational autoencoders on LibTorch.
///
/// Tensor conventions (everywhere in aekit):
///   - batch first: a dataset or batch is N x (sample shape);
///   - images are N x C x H x W float32 with grey levels in [0, 1] (C = 1 for MNIST-like data);
///   - latent codes are N x latent_dim;
///   - losses are summed over the features of one example and averaged over the batch, in nats for
///     likelihoods ("nats per example"); the KL term is reported separately from reconstruction.
///
/// A short tour:
///
///   #include <aekit/aekit.h>
///
///   aekit::configure_threads(0);                              // measured thread policy
///   aekit::Json config = aekit::train::resolve_config(       // defaults + your keys, checked
///       aekit::Json{{"model", {{"type", "vae"}, {"encoder", {400}}, {"latent_dim", 20}}},
///                   {"train", {{"epochs", 10}}}});
///   auto data = aekit::data::load_data(aekit::data::DataOptions::from_config(config), /*seed=*/1);
///   auto result = aekit::train::train(config, data, aekit::train::RunPaths("runs/vae"));
///   auto test = aekit::eval::evaluate_loss(*result.model, data.test, 1000, torch::kCPU);
///   torch::Tensor codes = result.model->encode(data.test.features);   // N x 20
///   aekit::viz::write_run_plots(*result.model, data.test, data.class_names(), result.history,
///                               "runs/vae/plots", {}, torch::kCPU);
///
///   aekit::viz::write_report("runs/vae", {}, torch::kCPU);     // runs/vae/report.html
///
/// Where things live: core/ (errors, config, registry, runtime, precision), data/ (readers, the
/// tables of formats and datasets, batching), nn/ (building blocks), losses/, kernels/ (the
/// hand-written training steps' kernels), models/ (the families and their registry), train/
/// (trainer, optimizers, checkpoints), eval/ (measurements), viz/ (charts, image grids, run
/// figures, the report).

#include "aekit/core/config.h"
#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/core/precision.h"
#include "aekit/core/registry.h"
#include "aekit/core/runtime.h"
#include "aekit/data/batching.h"
#include "aekit/data/csv.h"
#include "aekit/data/dataset.h"
#include "aekit/data/idx.h"
#include "aekit/data/image_folder.h"
#include "aekit/data/mnist_json.h"
#include "aekit/data/npy.h"
#include "aekit/data/png.h"
#include "aekit/data/preprocessing.h"
#include "aekit/data/table_schema.h"
#include "aekit/data/synthetic.h"
#include "aekit/eval/clustering.h"
#include "aekit/eval/divergence.h"
#include "aekit/eval/evaluate.h"
#include "aekit/eval/frechet.h"
#include "aekit/eval/latent_walk.h"
#include "aekit/eval/likelihood.h"
#include "aekit/eval/measurements.h"
#include "aekit/eval/metrics.h"
#include "aekit/eval/probes.h"
#include "aekit/eval/samplers.h"
#include "aekit/eval/tsne.h"
#include "aekit/losses/kl.h"
#include "aekit/losses/reconstruction.h"
#include "aekit/losses/sparsity.h"
#include "aekit/models/autoencoder.h"
#include "aekit/models/conv_autoencoder.h"
#include "aekit/models/conv_vae.h"
#include "aekit/models/mlp_autoencoder.h"
#include "aekit/models/mlp_vae.h"
#include "aekit/models/model_config.h"
#include "aekit/models/gaussian_mixture.h"
#include "aekit/models/kmeans.h"
#include "aekit/models/pca.h"
#include "aekit/models/recurrent_autoencoder.h"
#include "aekit/models/tied_autoencoder.h"
#include "aekit/nn/activation.h"
#include "aekit/nn/conv.h"
#include "aekit/nn/init.h"
#include "aekit/nn/input_noise.h"
#include "aekit/nn/mlp.h"
#include "aekit/train/checkpoint.h"
#include "aekit/train/classifier.h"
#include "aekit/train/optimizer.h"
#include "aekit/train/run_config.h"
#include "aekit/train/trainer.h"
#include "aekit/viz/charts.h"
#include "aekit/viz/html_report.h"
#include "aekit/viz/image_grid.h"
#include "aekit/viz/run_plots.h"
#include "aekit/viz/run_report.h"
