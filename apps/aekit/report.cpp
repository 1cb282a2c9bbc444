// aekit report: one self-contained HTML report of a run (viz/run_report.h).
#include "common.h"

#include "aekit/core/runtime.h"
#include "aekit/viz/run_report.h"

#include <iostream>

namespace aekit::cli {

namespace {

struct ReportFlags {
  std::string run_dir;
  viz::ReportOptions report;
  RuntimeFlags runtime;
};

void run_report(const ReportFlags& flags) {
  const torch::Device device = setup_runtime(flags.runtime.device, flags.runtime.threads);
  viz::ReportOptions options = flags.report;
  options.threads = flags.runtime.threads;
  const std::filesystem::path out = viz::write_report(flags.run_dir, options, device);
  std::cout << "wrote " << out.string() << " and "
            << (std::filesystem::path(flags.run_dir) / "report.json").string() << "\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* command = app.add_subcommand(
      "report", "One self-contained HTML report of a run: metrics, figures, t-SNE, likelihood");
  command->footer(
      "Example:\n  aekit report runs/vae\n  aekit report runs/vae --tsne-points 2000 --out "
      "vae.html");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("--out", flags->report.out, "HTML file (default RUN/report.html)");
  command
      ->add_option("--tsne-points", flags->report.tsne_points,
                   "Test codes in the t-SNE map (0 = none)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  command
      ->add_option("--cluster-points", flags->report.cluster_points,
                   "Test examples clustered by k-means, codes and inputs, when labelled (0 = none)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  command
      ->add_option("--likelihood-samples", flags->report.likelihood_samples,
                   "Importance samples per example for log p(x) (0 = skip)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{100000}));
  command
      ->add_option("--likelihood-examples", flags->report.likelihood_examples,
                   "Test examples in the likelihood estimate (0 = all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--binarize", flags->report.binarize,
                    "Estimate the likelihood on a stochastically binarized test set");
  command
      ->add_option("--frechet-samples", flags->report.frechet_samples,
                   "Samples on each side of the Fréchet distances (0 = skip)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  command
      ->add_option("--probe-train", flags->report.probe_train,
                   "Training codes for the k-NN and linear probe (0 = all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command->add_option("--cache-dir", flags->report.cache_dir,
                      "Feature network cache (default $AEKIT_CACHE_DIR, else ~/.cache/aekit)");
  flags->runtime.add_to(*command);
  command->callback([flags] { run_report(*flags); });
}

}  // namespace aekit::cli
