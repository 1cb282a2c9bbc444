#pragma once
/// One self-contained HTML report of a trained run (RUN/report.html, with RUN/report.json and
/// the figures in RUN/plots): the config, every metric, loss curves, latent scatter, manifold,
/// reconstructions, samples, t-SNE map, likelihood and Fréchet distances. What `aekit report` and
/// `aekit demo` write; a program using aekit::aekit writes the same page with write_report().

#include "aekit/core/config.h"
#include "aekit/eval/tsne.h"

#include <torch/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace aekit::viz {

/// What `aekit report` (and the demo) measure and draw; docs/evaluation.md.
struct ReportOptions {
  std::string out;                    ///< HTML file; empty = RUN/report.html
  int64_t tsne_points = 10000;        ///< test codes in the t-SNE map (0 = none)
  int64_t likelihood_samples = 5000;  ///< importance samples per example (0 = skip)
  int64_t likelihood_examples = 1000;
  int64_t frechet_samples = 10000;  ///< 0 = skip
  int64_t probe_train = 0;          ///< training codes for the probes (0 = all)
  int64_t cluster_points = 2000;    ///< test examples clustered by k-means, labelled data only (0 = skip)
  bool binarize = false;
  std::string cache_dir;  ///< feature networks; empty = eval::default_cache_dir()
  int64_t threads = 0;
};

/// Measures a run and writes its self-contained HTML report (and RUN/report.json, figures in
/// RUN/plots); returns the HTML path.
///
/// Every phase runs under the thread policy aekit::configure_threads() set (the one training
/// used) and logs its time as it ends; report.json keeps them under "seconds".
///
/// Example:
///   aekit::configure_threads(0);
///   aekit::viz::write_report("runs/vae", {}, torch::kCPU);
std::filesystem::path write_report(const std::string& run_dir, const ReportOptions& options,
                                   const torch::Device& device);

/// t-SNE map of `points` (with optional labels): writes the map to `map_path` (.npy/.csv, when
/// not empty) and a scatter coloured by label to `plot_path` (when not empty). Returns the time
/// taken and, with labels, the 10-NN (leave-one-out) label accuracy in the input and in the map.
Json tsne_json(const torch::Tensor& points, const torch::Tensor& labels,
               const std::vector<std::string>& class_names, const eval::TsneOptions& options,
               const std::string& map_path, const std::filesystem::path& plot_path,
               const std::string& what);

}  // namespace aekit::viz
