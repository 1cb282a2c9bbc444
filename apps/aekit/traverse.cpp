// aekit traverse: sweep one latent dimension at a time around a code and decode, one row per
// dimension, rows ordered by the dimension's KL to the prior (VAEs) or its code variance.
#include "common.h"

#include "aekit/core/error.h"
#include "aekit/eval/evaluate.h"
#include "aekit/eval/latent_walk.h"

#include <iostream>

namespace aekit::cli {

namespace {

struct TraverseFlags {
  std::string run_dir;
  std::string out;
  std::vector<int64_t> dims;
  std::optional<int64_t> example;
  std::string input;
  int64_t steps = 10;
  int64_t reference = 1000;
  std::string label;
  RuntimeFlags runtime;
};

void run_traverse(const TraverseFlags& flags) {
  const auto [device, run, splits, seed] =
      open_command_run(flags.runtime, flags.run_dir, true, flags.input);
  const int64_t n = splits.test.size();
  torch::Tensor base;  // undefined: the prior's mean (VAEs) or the mean code
  if (flags.example) {
    check_example_index("--example", *flags.example, splits, flags.input);
    const data::Dataset example = splits.test.slice(*flags.example, *flags.example + 1);
    base = eval::encode_all(*run.model, example.features, device, example.labels)[0];
  }
  for (const int64_t d : flags.dims) {
    AEKIT_CHECK_INPUT(d >= 0 && d < run.model->latent_dim(),
                      "--dims: expected latent dimensions in [0, {}), found {}",
                      run.model->latent_dim(), d);
  }
  const data::Dataset reference = splits.test.slice(0, std::min(flags.reference, n));
  const eval::Traversal plan =
      eval::plan_traversal(*run.model, reference, base, flags.dims, flags.steps, device);
  // A conditional model sweeps under --class, else under the example's class.
  condition_class(*run.model, "--class", flags.label,
                  flags.example && splits.test.has_labels()
                      ? splits.test.labels[*flags.example].item<int64_t>()
                      : -1);
  const torch::Tensor decoded = eval::decode_all(*run.model, plan.codes, device);
  write_images_or_array(flags.out, decoded, run.preprocessing, flags.steps);
  std::cout << fmt::format("wrote {} rows of {} decoded codes to {}, around {}\n", plan.dims.size(),
                           flags.steps, flags.out,
                           flags.example ? fmt::format("the code of example {}", *flags.example)
                                         : run.model->is_generative() ? "the prior's mean"
                                                                      : "the mean code");
  const torch::Tensor key = plan.order_key.contiguous();
  for (size_t r = 0; r < plan.dims.size(); ++r) {
    const int64_t d = plan.dims[r];
    std::cout << fmt::format("row {}: dimension {}, {} {:.4f}, from {:.3f} to {:.3f}\n", r, d,
                             plan.order_name, key[d].item<double>(),
                             plan.values[static_cast<int64_t>(r)][0].item<double>(),
                             plan.values[static_cast<int64_t>(r)][flags.steps - 1].item<double>());
  }
}

}  // namespace

void add_traverse_command(CLI::App& app) {
  auto flags = std::make_shared<TraverseFlags>();
  CLI::App* command = app.add_subcommand(
      "traverse", "Sweep each latent dimension around a code and decode, one row per dimension");
  command->footer(
      "Each row holds every dimension but one at the base code and sweeps that one over the\n"
      "normal inverse CDF of an even grid in (0.05, 0.95) (VAEs), or over the code's mean +- that\n"
      "many standard deviations (deterministic models). Rows are ordered by the dimension's KL to\n"
      "the prior (VAEs: active units first) or by its variance.\n"
      "Example:\n  aekit traverse runs/vae --out traversal.png\n"
      "  aekit traverse runs/vae --example 3 --dims 0,4,7 --steps 15 --out rows.png\n"
      "  aekit traverse runs/vae --out traversal.npy");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("-o,--out", flags->out,
                      "Output file: .png (one row per dimension), .npy or .csv (rows x steps samples)")
      ->required();
  command->add_option("--dims", flags->dims, "Latent dimensions to sweep, 0-based (default: all)")
      ->delimiter(',');
  command->add_option("--example", flags->example,
                      "Sweep around the code of this example (default: the prior's mean for VAEs, "
                      "the mean code otherwise)");
  command->add_option("--input", flags->input, "Take the examples from this IDX/NPY/CSV file or image folder");
  command->add_option("--class", flags->label,
                      "Conditional models: the class to decode under (default: the --example's)");
  command->add_option("--steps", flags->steps, "Decoded codes per row")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{2}, int64_t{1000}));
  command->add_option("--reference", flags->reference,
                      "Examples the KL (or code variance) is measured on")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{2}, int64_t{1} << 30));
  flags->runtime.add_to(*command);
  command->callback([flags] { run_traverse(*flags); });
}

}  // namespace aekit::cli
