// aekit train-prior: a gated PixelCNN fitted to the code grids of a VQ-VAE run's training images,
// kept in the run folder for `generate` and `eval --frechet`.
#include "common.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/train/code_prior.h"

#include <iostream>

namespace aekit::cli {

namespace {

struct TrainPriorFlags {
  std::string run_dir;
  train::CodePriorOptions options;
  RuntimeFlags runtime;
};

void run_train_prior(const TrainPriorFlags& flags) {
  train::check_code_prior_options(flags.options);
  const auto [device, run, splits, run_seed] = open_command_run(flags.runtime, flags.run_dir);
  const models::VqVaeImpl& model = train::vq_vae_of(run);  // refuses other families first
  const FolderLock lock(run.paths.root);
  const std::vector<int64_t> grid = model.code_grid();
  const int64_t k = model.options.codebook_size();
  const double uniform = static_cast<double>(grid[0] * grid[1]) * std::log(static_cast<double>(k));
  const double positions = static_cast<double>(grid[0] * grid[1]);
  std::cout << fmt::format(
      "code grids of {} x {} positions, {} codebook entries: the uniform prior gives {:.2f} nats "
      "per grid ({:.3f} bits per position)\n",
      grid[0], grid[1], k, uniform, std::log2(static_cast<double>(k)));
  const train::CodePrior prior = train::train_code_prior(
      run, splits.train, splits.test, flags.options, device, [&](const Json& epoch) {
        const double test = epoch["test_nll"].is_number() ? epoch["test_nll"].get<double>() : std::nan("");
        std::cout << fmt::format(
            "epoch {}/{}: train {:.2f} nats per grid, test {:.2f} ({:.3f} bits per position) in "
            "{:.1f} s\n",
            epoch["epoch"].get<int64_t>(), flags.options.epochs, epoch["train_nll"].get<double>(),
            test, test / positions / std::log(2.0), epoch["seconds"].get<double>())
                  << std::flush;
      });
  std::cout << fmt::format("wrote the prior to {} (settings and history in {})\n",
                           train::code_prior_tensors(run.paths).string(),
                           train::code_prior_record(run.paths).string());
}

}  // namespace

void add_train_prior_command(CLI::App& app) {
  auto flags = std::make_shared<TrainPriorFlags>();
  CLI::App* command = app.add_subcommand(
      "train-prior", "Fit a PixelCNN prior to a VQ-VAE run's code grids, for generation");
  command->footer(
      "The VQ-VAE trains under a uniform prior over its codebook; this learns which codes go\n"
      "together (a gated PixelCNN over the grid of codebook indices, Adam, negative log-likelihood),\n"
      "written to RUN/code_prior.pt and RUN/code_prior.json. Then `aekit generate RUN` and\n"
      "`aekit eval RUN --frechet` sample it; --sampler uniform compares with uniform codes.\n"
      "Example:\n  aekit train-prior runs/vq_vae\n"
      "  aekit train-prior runs/vq_vae --epochs 20 --channels 64 --layers 8\n"
      "  aekit generate runs/vq_vae --out samples.png");
  command->add_option("run", flags->run_dir, "Run folder of a model.type vq_vae run")->required();
  auto& o = flags->options;
  command->add_option("--epochs", o.epochs, "Passes over the training code grids")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  command->add_option("--batch-size", o.batch_size, "Grids per step")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  command->add_option("--lr", o.lr, "Adam learning rate")->capture_default_str();
  command->add_option("--channels", o.channels, "Channels of each PixelCNN stack")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1024}));
  command->add_option("--layers", o.layers, "Gated layers")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{64}));
  command->add_option("--seed", o.seed, "Initial weights and batch order")->capture_default_str();
  flags->runtime.add_to(*command);
  command->callback([flags] { run_train_prior(*flags); });
}

}  // namespace aekit::cli
