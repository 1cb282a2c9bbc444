// aekit generate: decode samples from the prior N(0, I), or decode given codes.
#include "common.h"

#include "aekit/core/error.h"
#include "aekit/core/runtime.h"

#include <torch/utils.h>

#include <iostream>

namespace aekit::cli {

namespace {

struct GenerateFlags {
  std::string run_dir;
  std::string out;
  std::string codes;
  int64_t count = 64;
  int64_t seed = 1;
  RuntimeFlags runtime;
};

void run_generate(const GenerateFlags& flags) {
  AEKIT_CHECK_INPUT(flags.count >= 1, "--count: expected 1 or more, found {}", flags.count);
  const auto [device, run, splits, run_seed] = open_command_run(flags.runtime, flags.run_dir, false);
  const int64_t latent = run.model->latent_dim();
  torch::Tensor z;
  if (!flags.codes.empty()) {
    data::DataOptions options;
    z = data::load_features(flags.codes, options).reshape({-1, latent});
  } else {
    AEKIT_CHECK_INPUT(run.model->is_generative(),
                      "{}: model type '{}' is not generative; pass --codes FILE to decode given codes",
                      flags.run_dir, run.state.config["model"]["type"].get<std::string>());
    seed_everything(static_cast<uint64_t>(flags.seed));
    z = torch::randn({flags.count, latent});
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor samples = run.model->decode(z.to(device)).to(torch::kCPU);
  write_images_or_array(flags.out, samples, /*columns=*/8);
  std::cout << fmt::format("wrote {} decoded samples to {}\n", samples.size(0), flags.out);
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto flags = std::make_shared<GenerateFlags>();
  CLI::App* command =
      app.add_subcommand("generate", "Decode samples from the prior N(0, I), or decode given codes");
  command->alias("decode");
  command->footer(
      "Example:\n  aekit generate runs/vae --out samples.png --count 64\n"
      "  aekit decode runs/vae --codes codes.npy --out decoded.npy");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("-o,--out", flags->out, "Output file: .png (grid), .npy or .csv")->required();
  command->add_option("--codes", flags->codes, "Decode these codes (NPY/CSV, N x latent) instead of sampling");
  command->add_option("-n,--count", flags->count, "How many samples from the prior")->capture_default_str();
  command->add_option("--seed", flags->seed, "Seed of the prior samples")->capture_default_str();
  flags->runtime.add_to(*command);
  command->callback([flags] { run_generate(*flags); });
}

}  // namespace aekit::cli
