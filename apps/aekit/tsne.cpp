// aekit tsne: a 2-D t-SNE map of a run's test codes, or of any NPY/CSV points, with a scatter
// plot coloured by label and the 10-NN label accuracy before and after.
#include "common.h"
#include "aekit/eval/measurements.h"
#include "aekit/viz/charts.h"
#include "aekit/viz/run_report.h"

#include "aekit/core/runtime.h"

#include <iostream>

namespace aekit::cli {

namespace {

struct TsneFlags {
  std::string run_dir;
  std::string input;
  std::string labels;
  std::string out;
  std::string plot;
  int64_t points = 10000;
  eval::TsneOptions tsne;
  RuntimeFlags runtime;
};

void run_tsne(const TsneFlags& flags) {
  AEKIT_CHECK_INPUT(flags.run_dir.empty() != flags.input.empty(),
                    "aekit tsne: give either --run RUN (its test codes) or --input FILE");
  const torch::Device device = setup_runtime(flags.runtime.device, flags.runtime.threads);
  torch::Tensor points;
  torch::Tensor labels;
  std::vector<std::string> class_names;
  std::string what;
  if (!flags.run_dir.empty()) {
    const train::LoadedRun run = train::load_run(flags.run_dir, device);
    use_threads_of(*run.model);
    const data::DataSplits splits = train::run_data(run, "", "");
    const data::Dataset shown = splits.test.slice(0, std::min(flags.points, splits.test.size()));
    points = eval::encode_all(*run.model, shown.features, device, shown.labels);
    labels = shown.labels;
    class_names = splits.class_names();
    what = fmt::format("the {}-D test codes of {}", points.size(1), flags.run_dir);
  } else {
    const data::Dataset loaded =
        data::load_files(flags.input, flags.labels, data::DataOptions{});
    const data::Dataset shown = loaded.slice(0, std::min(flags.points, loaded.size()));
    points = shown.features;
    labels = shown.labels;
    what = flags.input;
  }
  std::filesystem::path plot = flags.plot;
  if (plot.empty() && !flags.run_dir.empty() && viz::charts_available()) plot = std::filesystem::path(flags.run_dir) / "plots" / "tsne.png";
  if (!plot.empty()) ensure_parent(plot.string());
  eval::TsneOptions options = flags.tsne;
  options.threads = static_cast<int>(flags.runtime.threads);
  const Json result = viz::tsne_json(points, labels, class_names, options, flags.out, plot, what);
  std::cout << fmt::format("t-SNE of {} points in {:.1f} s\n", result["points"].get<int64_t>(),
                           result["seconds"].get<double>());
  if (result.contains("knn_accuracy_map")) {
    std::cout << fmt::format("10-NN label accuracy: {:.4f} in the input, {:.4f} in the map\n",
                             result["knn_accuracy_input"].get<double>(),
                             result["knn_accuracy_map"].get<double>());
  }
  if (!flags.out.empty()) std::cout << "wrote " << flags.out << "\n";
  if (!plot.empty()) std::cout << "wrote " << plot.string() << "\n";
}

}  // namespace

void add_tsne_command(CLI::App& app) {
  auto flags = std::make_shared<TsneFlags>();
  CLI::App* command =
      app.add_subcommand("tsne", "2-D t-SNE map (Barnes-Hut) of a run's codes or of any points");
  command->footer(
      "Example:\n  aekit tsne --run runs/vae\n"
      "  aekit tsne --input codes.npy --labels labels.npy --out map.npy --plot map.png");
  command->add_option("--run", flags->run_dir, "Run folder: map its test codes");
  command->add_option("--input", flags->input, "Points to map (NPY, CSV or IDX; N x ...)");
  command->add_option("--labels", flags->labels, "Labels of --input (colours, 10-NN accuracy)");
  command->add_option("--out", flags->out, "Write the N x 2 map here (.npy or .csv)");
  command->add_option("--plot", flags->plot, "Scatter plot PNG (default RUN/plots/tsne.png with --run)");
  command->add_option("--points", flags->points, "Use the first this many points")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{4}, int64_t{10000000}));
  command->add_option("--perplexity", flags->tsne.perplexity, "Perplexity")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1000.0));
  command->add_option("--theta", flags->tsne.theta, "Barnes-Hut accuracy (0 = exact)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  command->add_option("--iterations", flags->tsne.iterations, "Gradient steps")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  flags->runtime.add_to(*command);
  command->callback([flags] { run_tsne(*flags); });
}

}  // namespace aekit::cli
