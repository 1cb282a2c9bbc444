#pragma once
// What the subcommands share: building a config from defaults, a file, --set and flags; setting
// up threads and device; loading a run's data; writing tensors by file extension.

#include "aekit/core/config.h"
#include "aekit/data/dataset.h"
#include "aekit/train/trainer.h"

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace aekit::cli {

/// Thrown by a command whose outcome is only an exit status (its children already reported).
struct ExitStatus {
  int status;
};

/// The program's command line, kept for commands that start copies of themselves.
std::vector<std::string>& command_line();

/// Flags that shape a run's config. Precedence: defaults < --config file < --set < these flags.
struct ConfigFlags {
  std::string config_file;
  std::vector<std::string> overrides;
  std::optional<int64_t> epochs;
  std::optional<int64_t> batch_size;
  std::optional<double> lr;
  std::optional<int64_t> seed;
  std::string device;
  std::optional<int64_t> threads;

  /// Declares the flags on `command`.
  void add_to(CLI::App& command);
  /// Applies the flags to a user config (before resolve_config).
  void apply(Json& user) const;
};

/// Runtime flags of commands that load a trained run.
struct RuntimeFlags {
  std::string device = "auto";
  int64_t threads = 0;
  void add_to(CLI::App& command);
};

/// Sets threads, logs the runtime and warns loudly on a slow BLAS. Returns the device.
torch::Device setup_runtime(const std::string& device, int64_t threads);

/// The data a loaded run is evaluated on: the test split of the run's own data config, or
/// `input` (with optional `labels`) when given. Reshaped to the model's sample shape.
data::DataSplits run_data(const train::LoadedRun& run, const std::string& input,
                          const std::string& labels);

/// Writes N x ... values to `path` as NPY (.npy) or CSV (.csv); other extensions are an error.
void write_array(const std::string& path, const torch::Tensor& values);

/// Writes images (N x sample shape) to `path`: a .png grid with `columns` per row, or NPY/CSV.
void write_images_or_array(const std::string& path, const torch::Tensor& images, int64_t columns);

/// Creates the parent folder of `path` when it has one.
void ensure_parent(const std::string& path);

/// What `aekit report` (and the demo) measure and draw; docs/evaluation.md.
struct ReportOptions {
  std::string out;                   ///< HTML file; empty = RUN/report.html
  int64_t tsne_points = 10000;       ///< test codes in the t-SNE map (0 = none)
  int64_t likelihood_samples = 5000; ///< importance samples per example (0 = skip)
  int64_t likelihood_examples = 1000;
  int64_t frechet_samples = 10000;   ///< 0 = skip
  int64_t probe_train = 0;           ///< training codes for the probes (0 = all)
  bool binarize = false;
  std::string cache_dir;             ///< feature networks; empty = eval::default_cache_dir()
  int64_t threads = 0;
};

/// Measures a run and writes its self-contained HTML report (and RUN/report.json, figures in
/// RUN/plots); returns the HTML path.
std::filesystem::path write_report(const std::string& run_dir, const ReportOptions& options,
                                   const torch::Device& device);

// One function per subcommand; each declares its flags and callback on `app`.
void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_encode_command(CLI::App& app);
void add_reconstruct_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_plot_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_pca_command(CLI::App& app);
void add_classify_command(CLI::App& app);
void add_divergence_command(CLI::App& app);
void add_tsne_command(CLI::App& app);
void add_report_command(CLI::App& app);

}  // namespace aekit::cli
