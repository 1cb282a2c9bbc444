// aekit interpolate: decode the path between the codes of two inputs (test examples or the two
// samples of a file) or between two given codes.
#include "common.h"

#include "aekit/core/error.h"
#include "aekit/eval/evaluate.h"
#include "aekit/eval/latent_walk.h"

#include <iostream>

namespace aekit::cli {

namespace {

struct InterpolateFlags {
  std::string run_dir;
  std::string out;
  int64_t from = 0;
  int64_t to = 1;
  std::string input;
  std::string codes;
  int64_t steps = 10;
  std::string mode = "lerp";
  std::string label;
  RuntimeFlags runtime;
};

void run_interpolate(const InterpolateFlags& flags) {
  const eval::PathMode mode = eval::parse_path_mode(flags.mode, "--mode");
  const bool given_codes = !flags.codes.empty();
  const auto [device, run, splits, seed] =
      open_command_run(flags.runtime, flags.run_dir, !given_codes, flags.input);
  const int64_t latent = run.model->latent_dim();
  torch::Tensor ends;       // 2 x latent: the codes of the two ends
  torch::Tensor originals;  // 2 x sample shape, when the ends are inputs
  if (given_codes) {
    const torch::Tensor codes = data::load_features(flags.codes, data::DataOptions{});
    AEKIT_CHECK_INPUT(codes.size(0) == 2 && codes[0].numel() == latent,
                      "{}: expected 2 codes of {} values, found {} of {}", flags.codes, latent,
                      codes.size(0), codes.size(0) > 0 ? codes[0].numel() : 0);
    ends = codes.reshape({2, latent}).to(torch::kFloat32);
  } else {
    check_example_index("--from", flags.from, splits, flags.input);
    check_example_index("--to", flags.to, splits, flags.input);
    originals = torch::stack({splits.test.features[flags.from], splits.test.features[flags.to]});
    const torch::Tensor labels =
        splits.test.has_labels()
            ? torch::stack({splits.test.labels[flags.from], splits.test.labels[flags.to]})
            : torch::Tensor();
    ends = eval::encode_all(*run.model, originals, device, labels);
  }
  // A conditional model walks under --class, else under the first example's class.
  condition_class(*run.model, "--class", flags.label,
                  originals.defined() && splits.test.has_labels()
                      ? splits.test.labels[flags.from].item<int64_t>()
                      : -1);
  const torch::Tensor path = eval::interpolate_codes(ends[0], ends[1], flags.steps, mode);
  const torch::Tensor decoded = eval::decode_all(*run.model, path, device);
  const bool png = std::filesystem::path(flags.out).extension() == ".png";
  if (png && originals.defined()) {
    write_images_or_array(flags.out, torch::cat({originals.slice(0, 0, 1), decoded, originals.slice(0, 1, 2)}),
                          run.preprocessing, flags.steps + 2);
  } else {
    write_images_or_array(flags.out, decoded, run.preprocessing, flags.steps);
  }
  std::cout << fmt::format("wrote {} decoded codes on the {} path {} to {}\n", flags.steps,
                           eval::path_mode_name(mode),
                           given_codes ? "between the codes of " + flags.codes
                                       : fmt::format("from example {} to example {}", flags.from, flags.to),
                           flags.out);
}

}  // namespace

void add_interpolate_command(CLI::App& app) {
  auto flags = std::make_shared<InterpolateFlags>();
  CLI::App* command = app.add_subcommand(
      "interpolate", "Decode the path between the codes of two examples, or between two codes");
  command->footer(
      "The ends of the path are the two codes themselves, so they decode to the two\n"
      "reconstructions. A PNG strip shows the two originals at its ends.\n"
      "Example:\n  aekit interpolate runs/vae --from 0 --to 7 --steps 12 --out path.png\n"
      "  aekit interpolate runs/vae --input pair.npy --mode slerp --out path.npy\n"
      "  aekit interpolate runs/vae --codes two_codes.csv --out path.png");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("-o,--out", flags->out, "Output file: .png (a strip), .npy or .csv (steps rows)")
      ->required();
  command->add_option("--from", flags->from, "Index of the first example (test split, or --input)")
      ->capture_default_str();
  command->add_option("--to", flags->to, "Index of the second example")->capture_default_str();
  command->add_option("--input", flags->input, "Take the examples from this IDX/NPY/CSV file or image folder");
  command->add_option("--codes", flags->codes, "Interpolate between the 2 codes of this NPY/CSV file")
      ->excludes("--input");
  command->add_option("--class", flags->label,
                      "Conditional models: the class to decode under (default: the --from example's)");
  command->add_option("--steps", flags->steps, "Decoded codes on the path, both ends included")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{2}, int64_t{10000}));
  command->add_option("--mode", flags->mode, "lerp (a straight line) or slerp (a great circle)")
      ->capture_default_str();
  flags->runtime.add_to(*command);
  command->callback([flags] { run_interpolate(*flags); });
}

}  // namespace aekit::cli
