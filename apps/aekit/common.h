#pragma once
// What the subcommands share: building a config from defaults, a file, --set and flags; setting
// up threads and device; loading a run's data; writing tensors by file extension.

#include "aekit/core/config.h"
#include "aekit/data/dataset.h"
#include "aekit/train/distributed.h"
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

/// What training through train_pipeline() gave.
struct TrainedRun {
  torch::Device device;
  data::DataSplits splits;
  train::TrainResult result;
};

/// The training pipeline `aekit train` and `aekit demo` share: sets up threads and device from
/// the resolved `config`, loads its data, joins the data-parallel job `distributed` describes
/// (when not null and enabled), and trains into `paths` (continuing its checkpoint when `resume`),
/// logging every epoch.
TrainedRun train_pipeline(const Json& config, const train::RunPaths& paths, bool resume,
                          const train::DistributedOptions* distributed = nullptr);

/// Sets the thread pools for the rest of the command as `model`'s float32 training step has them
/// (a convolutional model's convolutions run in torch's pool; models::TrainingStep).
void use_threads_of(const models::AutoencoderImpl& model);

/// What a command that works on a trained run starts from.
struct CommandRun {
  torch::Device device;
  train::LoadedRun run;
  data::DataSplits splits;  ///< the run's data (test split) or the user's input; empty without data
  uint64_t seed;            ///< the run's train.seed, with which torch has been seeded
};

/// The opening of every command on a trained run: sets up threads and device (`runtime`), loads
/// the run in RUN, and, when `with_data`, the data to work on (run_data(run, input, labels));
/// seeds torch with the run's seed.
CommandRun open_command_run(const RuntimeFlags& runtime, const std::string& run_dir,
                            bool with_data = true, const std::string& input = "",
                            const std::string& labels = "");

/// Throws InputError naming `flag` unless `index` is an example of the command's data (the test
/// split, or the user's `input` file).
void check_example_index(const std::string& flag, int64_t index, const data::DataSplits& splits,
                         const std::string& input);

/// The class a conditional model decodes under, from a `flag` such as --class: empty text gives
/// `fallback` (-1: the flag is required for conditional models). A class out of [0, classes), a
/// text that is not a whole number, or the flag given to an unconditional model is an InputError.
/// Returns -1 for unconditional models.
int64_t condition_class(models::AutoencoderImpl& model, const std::string& flag,
                        const std::string& text, int64_t fallback = -1);

/// Writes token rows (N x T ids) of molecules as SMILES: .smi, .csv (SMILES, validity and RDKit's
/// properties), .svg (drawn by RDKit, `columns` per row) or .npy (the ids).
void write_molecules(const std::string& path, const torch::Tensor& tokens,
                     const data::TableSchema& table, int64_t columns);

/// Writes what a model gives (N x sample shape, in the space it was trained in) to `path` in the
/// data's own units (`preprocessing` inverted): a .png grid with `columns` per row, or NPY/CSV (a
/// table's CSV headed by its column names); molecules as write_molecules does.
void write_images_or_array(const std::string& path, const torch::Tensor& images,
                           const data::Preprocessing& preprocessing, int64_t columns);

/// Creates the parent folder of `path` when it has one.
void ensure_parent(const std::string& path);

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
void add_interpolate_command(CLI::App& app);
void add_traverse_command(CLI::App& app);
void add_cluster_command(CLI::App& app);
void add_train_prior_command(CLI::App& app);
/// aekit serve; without cpp-httplib (AEKIT_WITH_SERVE=OFF) a command that refuses in one line.
void add_serve_command(CLI::App& app);

}  // namespace aekit::cli
