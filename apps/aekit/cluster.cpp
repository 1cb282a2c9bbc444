// aekit cluster: k-means or a Gaussian mixture on a run's test codes, next to the same clustering
// of the input features, scored against the labels (ARI, NMI) and by silhouette.
#include "common.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/data/csv.h"
#include "aekit/eval/clustering.h"
#include "aekit/eval/evaluate.h"

#include <cmath>
#include <iostream>

namespace aekit::cli {

namespace {

struct ClusterFlags {
  std::string run_dir;
  int64_t k = 0;
  std::string method = "kmeans";
  int64_t seed = 1;
  std::string input;
  std::string labels;
  std::string out;
  bool features = true;
  RuntimeFlags runtime;
};

std::string score_text(const eval::ClusterResult& result) {
  std::string text = fmt::format("silhouette {:.4f}", result.silhouette);
  if (!std::isnan(result.ari)) {
    text = fmt::format("ARI {:.4f}, NMI {:.4f}, {}", result.ari, result.nmi, text);
  }
  return text + fmt::format(" ({:.1f} s)", result.seconds);
}

void run_cluster(const ClusterFlags& flags) {
  AEKIT_CHECK_INPUT(flags.out.empty() || std::filesystem::path(flags.out).extension() == ".csv",
                    "{}: expected an output file ending in .csv", flags.out);
  AEKIT_CHECK_INPUT(flags.k >= 0,
                    "--k: expected a number of clusters >= 1 (0: one per class), found {}",
                    flags.k);
  const auto opened = open_command_run(flags.runtime, flags.run_dir, true, flags.input, flags.labels);
  const data::Dataset& test = opened.splits.test;
  eval::ClusterOptions options;
  options.k = flags.k > 0 ? flags.k : eval::class_count(test.labels);
  AEKIT_CHECK_INPUT(options.k >= 1,
                    "--k: expected the number of clusters (the data has no labels to take it from)");
  options.method = flags.method;
  options.seed = static_cast<uint64_t>(flags.seed);

  const torch::Tensor codes = eval::encode_all(*opened.run.model, test.features, opened.device, test.labels);
  const eval::ClusterResult on_codes = eval::cluster_points(codes, test.labels, options);
  std::cout << fmt::format("{} with k = {} on {} test codes ({} dimensions): {}\n", on_codes.method,
                           options.k, codes.size(0), codes.size(1), score_text(on_codes));
  Json result{{"data", opened.splits.name}, {"codes", on_codes.to_json(codes.size(1))}};
  if (flags.features) {
    const auto dimensions = test.features[0].numel();
    const eval::ClusterResult on_features = eval::cluster_points(test.features, test.labels, options);
    std::cout << fmt::format("{} with k = {} on the same inputs ({} features{}): {}\n",
                             on_features.method, options.k, dimensions,
                             opened.run.preprocessing.scaling != "none"
                                 ? ", data.scaling " + opened.run.preprocessing.scaling
                                 : std::string(),
                             score_text(on_features));
    result["features"] = on_features.to_json(dimensions);
  }
  if (!flags.out.empty()) {
    std::vector<torch::Tensor> columns{on_codes.assignments.to(torch::kFloat64)};
    std::vector<std::string> names{"cluster"};
    if (test.has_labels()) {
      columns.push_back(test.labels.to(torch::kFloat64));
      names.push_back("label");
    }
    ensure_parent(flags.out);
    data::write_csv(flags.out, torch::stack(columns, 1), names);
    std::cout << fmt::format("wrote the cluster of each of {} examples to {}\n", codes.size(0), flags.out);
  }
  if (flags.input.empty()) {
    write_json_file(opened.run.paths.root / "cluster.json", result);
  }
}

}  // namespace

void add_cluster_command(CLI::App& app) {
  auto flags = std::make_shared<ClusterFlags>();
  CLI::App* command = app.add_subcommand(
      "cluster", "Cluster the test codes (k-means or a Gaussian mixture) and score the clusters");
  command->footer(
      "Scores: ARI and NMI against the labels when there are labels, silhouette always; the same\n"
      "clustering of the inputs is shown for comparison. Writes RUN/cluster.json.\n"
      "Example:\n  aekit cluster runs/vae --k 10 --out clusters.csv");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("-k,--k", flags->k, "Number of clusters (default: the number of classes)");
  command->add_option("--method", flags->method, "kmeans or gmm (full covariances)")->capture_default_str();
  command->add_option("--seed", flags->seed, "Seed of the k-means++ starts")->capture_default_str();
  command->add_option("--input", flags->input, "Cluster this IDX/NPY/CSV file or image folder instead of the test split");
  command->add_option("--labels", flags->labels, "Labels of --input, for ARI and NMI");
  command->add_option("-o,--out", flags->out, "Write each example's cluster (and label) to this .csv");
  command->add_flag("!--no-features", flags->features, "Skip the comparison on the input features");
  flags->runtime.add_to(*command);
  command->callback([flags] { run_cluster(*flags); });
}

}  // namespace aekit::cli
