// aekit plot: the figures of a trained run (latent scatter, manifold, reconstructions, samples,
// loss curves) as PNG files.
#include "common.h"

#include "aekit/core/runtime.h"
#include "aekit/viz/run_plots.h"

#include <iostream>

namespace aekit::cli {

namespace {

struct PlotFlags {
  std::string run_dir;
  std::string out_dir;
  std::string input;
  std::string labels;
  viz::PlotOptions plots;
  RuntimeFlags runtime;
};

void run_plot(const PlotFlags& flags) {
  const auto [device, run, splits, seed] =
      open_command_run(flags.runtime, flags.run_dir, true, flags.input, flags.labels);
  const auto out_dir = flags.out_dir.empty() ? run.paths.plots() : std::filesystem::path(flags.out_dir);
  const viz::PlotReport report = viz::write_run_plots(*run.model, splits.test, splits.class_names(),
                                                      run.state.history, out_dir, flags.plots, device);
  for (const auto& path : report.written) std::cout << "wrote " << path.string() << "\n";
  for (const auto& reason : report.skipped) std::cout << "skipped " << reason << "\n";
}

}  // namespace

void add_plot_command(CLI::App& app) {
  auto flags = std::make_shared<PlotFlags>();
  CLI::App* command = app.add_subcommand("plot", "Write the run's figures as PNG files");
  command->footer("Example:\n  aekit plot runs/vae\n  aekit plot runs/vae --manifold-size 30 --out-dir figures");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("--out-dir", flags->out_dir, "Folder for the figures (default RUN/plots)");
  command->add_option("--input", flags->input, "Plot this IDX/NPY/CSV file or image folder instead of the test split");
  command->add_option("--labels", flags->labels, "Labels file for --input (colours the scatter)");
  command->add_option("--manifold-size", flags->plots.manifold_size, "n of the n x n manifold grid")
      ->capture_default_str()
      ->check(CLI::Range(2, 100));
  command->add_option("--samples", flags->plots.samples, "Prior samples shown")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  command->add_option("--reconstructions", flags->plots.reconstructions, "Originals shown")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  command->add_option("--scatter-points", flags->plots.scatter_points, "Test samples in the latent scatter")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000000));
  flags->runtime.add_to(*command);
  command->callback([flags] { run_plot(*flags); });
}

}  // namespace aekit::cli
