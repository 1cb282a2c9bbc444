#include "aekit/viz/run_report.h"

#include "aekit/chem/molecules.h"
#include "aekit/eval/molecule_metrics.h"

#include "aekit/core/file_io.h"
#include "aekit/core/runtime.h"
#include "aekit/eval/clustering.h"
#include "aekit/eval/evaluate.h"
#include "aekit/eval/frechet.h"
#include "aekit/eval/latent_walk.h"
#include "aekit/eval/measurements.h"
#include "aekit/eval/probes.h"
#include "aekit/train/trainer.h"
#include "aekit/viz/charts.h"
#include "aekit/viz/html_report.h"
#include "aekit/viz/run_plots.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

namespace aekit::viz {

namespace {

/// Runs `phase` (a callable returning nothing) as one phase of a long job: logs `label` as it
/// starts and its time as it ends, and records the time in seconds as `times[key]`.
/// Example: timed_phase(times, "tsne", "t-SNE of 10000 test codes", [&] { ... });
template <typename Phase>
void timed_phase(Json& times, const std::string& key, const std::string& label, Phase&& phase) {
  spdlog::info("report: {} ...", label);
  const auto start = std::chrono::steady_clock::now();
  phase();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  times[key] = seconds;
  spdlog::info("report: {} done in {:.1f} s", label, seconds);
}

using Rows = std::vector<std::vector<std::string>>;

void add_row(Rows& rows, const std::string& name, const Json& value, const std::string& note,
             int decimals = 4) {
  rows.push_back({name, eval::format_number(value, decimals), note});
}

}  // namespace

Json tsne_json(const torch::Tensor& points, const torch::Tensor& labels,
               const std::vector<std::string>& class_names, const eval::TsneOptions& options,
               const std::string& map_path, const std::filesystem::path& plot_path,
               const std::string& what) {
  const auto start = std::chrono::steady_clock::now();
  const torch::Tensor map = eval::tsne(points, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Json result = {{"points", points.size(0)},
                 {"seconds", seconds},
                 {"perplexity", options.perplexity},
                 {"theta", options.theta},
                 {"iterations", options.iterations}};
  if (!map_path.empty()) data::write_array(map_path, map);
  std::vector<int64_t> label_list;
  if (labels.defined()) {
    constexpr int64_t kNeighbours = 10;
    result["knn_k"] = kNeighbours;
    result["knn_accuracy_input"] =
        eval::knn_accuracy(points, labels, points, labels, kNeighbours, /*leave_one_out=*/true);
    result["knn_accuracy_map"] =
        eval::knn_accuracy(map, labels, map, labels, kNeighbours, /*leave_one_out=*/true);
    const torch::Tensor l = labels.to(torch::kCPU, torch::kInt64).contiguous();
    label_list.assign(l.data_ptr<int64_t>(), l.data_ptr<int64_t>() + l.numel());
  }
  if (!plot_path.empty()) {
    const torch::Tensor m = map.to(torch::kFloat64).contiguous();
    const auto values = m.accessor<double, 2>();
    std::vector<double> x(static_cast<size_t>(m.size(0)));
    std::vector<double> y(x.size());
    for (int64_t i = 0; i < m.size(0); ++i) {
      x[static_cast<size_t>(i)] = values[i][0];
      y[static_cast<size_t>(i)] = values[i][1];
    }
    scatter_chart(
        plot_path, x, y, label_list, class_names,
        {fmt::format("t-SNE of {} ({} points, perplexity {})", what, m.size(0), options.perplexity),
         "t-SNE 1", "t-SNE 2"});
  }
  return result;
}

namespace {

/// For a table: the first test rows beside their reconstructions, in the data's own units (the
/// run's data.scaling undone), one line per column.
void write_table_reconstructions(HtmlReport& page, models::AutoencoderImpl& model,
                                 const data::DataSplits& splits,
                                 const data::Preprocessing& preprocessing,
                                 const torch::Device& device) {
  constexpr int64_t kExamples = 3;
  constexpr int64_t kColumns = 40;
  const torch::Tensor x = splits.test.features.slice(0, 0, kExamples);
  const torch::Tensor labels = splits.test.slice(0, x.size(0)).labels;
  const torch::Tensor codes = eval::encode_all(model, x, device, labels);
  model.set_condition(labels);
  const torch::Tensor original = preprocessing.invert(x).to(torch::kFloat64).contiguous();
  const torch::Tensor rebuilt =
      preprocessing.invert(eval::decode_all(model, codes, device)).to(torch::kFloat64).contiguous();
  const int64_t n = x.size(0);
  const int64_t columns = original.size(1);
  const data::TableSchema& table = preprocessing.table;
  const auto value_text = [&table](int64_t column, double value) {
    if (!table.categorical(column)) return fmt::format("{:.5g}", value);
    const auto& names = table.categories[column];
    const auto k = static_cast<int64_t>(value);
    return k >= 0 && k < static_cast<int64_t>(names.size()) ? names[k] : fmt::format("{}", value);
  };
  std::vector<std::string> header{"column"};
  for (int64_t i = 0; i < n; ++i) {
    header.push_back(fmt::format("test row {}", i + 1));
    header.push_back("reconstructed");
  }
  Rows rows;
  for (int64_t c = 0; c < std::min(columns, kColumns); ++c) {
    std::vector<std::string> row{c < static_cast<int64_t>(table.column_names.size())
                                     ? table.column_names[c]
                                     : fmt::format("x{}", c)};
    for (int64_t i = 0; i < n; ++i) {
      row.push_back(value_text(c, original[i][c].item<double>()));
      row.push_back(value_text(c, rebuilt[i][c].item<double>()));
    }
    rows.push_back(std::move(row));
  }
  page.heading("Reconstructions in the data's units");
  page.paragraph(fmt::format(
      "The first {} test rows and their reconstructions (the code's decoding){}{}.", n,
      preprocessing.scaling != "none"
          ? fmt::format(", data.scaling {} undone", preprocessing.scaling)
          : std::string(),
      columns > kColumns ? fmt::format("; the first {} of {} columns", kColumns, columns)
                         : std::string()));
  page.table(header, rows);
}

}  // namespace

std::filesystem::path write_report(const std::string& run_dir, const ReportOptions& flags,
                                   const torch::Device& device) {
  const train::LoadedRun run = train::load_run(run_dir, device);
  // The model runs with its pools set as for its training step (convolutions in torch's pool).
  const models::TrainingStep step = run.model->training_step(Precision::kFloat32);
  const ScopedTorchThreads torch_threads(step.torch_threads > 0 ? step.torch_threads : at::get_num_threads());
  const ScopedBlasThreads blas_threads(step.blas_threads);
  const data::DataSplits splits = train::run_data(run, "", "");
  eval::check_data_fits_likelihood(*run.model, splits.test, splits.name);
  const uint64_t seed = run.train.seed;
  models::AutoencoderImpl& model = *run.model;
  const std::filesystem::path plots = run.paths.plots();
  ensure_directory(plots);

  Json metrics;
  Json seconds;  // each phase's time, printed as it ends and kept in report.json
  eval::LossSummary summary;
  timed_phase(seconds, "test", "test loss and reconstruction metrics", [&] {
    seed_everything(seed);
    summary = eval::evaluate_loss(model, splits.test, 1000, device);
    metrics["test"] = eval::loss_json(summary);
    metrics["latent_activity"] = eval::latent_activity_json(model, splits.test, device);
  });
  timed_phase(seconds, "representation", "k-NN and linear probe", [&] {
    metrics["representation"] = eval::representation_json(model, splits, device, flags.probe_train);
  });
  // Molecules (a token-sequence model): RDKit's measures instead of the likelihood estimate, whose
  // decoder output a code alone does not give.
  const bool molecules = eval::is_molecule_model(model, splits);
  if (molecules) {
    timed_phase(seconds, "molecules", "molecules: 1,000 prior samples, test reconstruction, logP",
                [&] {
                  metrics["molecules"] =
                      eval::molecule_metrics_json(model, splits, 1000, 0, seed, device);
                });
  }
  if (model.is_generative() && flags.likelihood_samples > 0 && !molecules) {
    timed_phase(seconds, "likelihood",
                fmt::format("importance-weighted likelihood (k = {}, {} examples)",
                            flags.likelihood_samples, flags.likelihood_examples),
                [&] {
                  seed_everything(seed);
                  metrics["likelihood"] = eval::likelihood_json(
                      model, splits.test, flags.likelihood_samples, flags.likelihood_examples,
                      flags.binarize, seed, device);
                });
  }
  const bool labelled = splits.train.has_labels() && splits.test.has_labels();
  if (labelled && flags.frechet_samples > 0) {
    timed_phase(seconds, "frechet", "Fréchet distances", [&] {
      seed_everything(seed);
      metrics["frechet"] =
          eval::frechet_json(model, splits, flags.frechet_samples,
                             flags.cache_dir.empty() ? eval::default_cache_dir()
                                                     : std::filesystem::path(flags.cache_dir),
                             device);
    });
  }
  if (labelled && flags.cluster_points > 0) {
    // k-means with one cluster per class, on the codes and on the inputs they came from.
    const data::Dataset shown = splits.test.slice(0, std::min(flags.cluster_points, splits.test.size()));
    eval::ClusterOptions options;
    options.k = std::max<int64_t>(2, eval::class_count(splits.test.labels));
    options.seed = seed;
    if (options.k <= shown.size()) {
      timed_phase(seconds, "clustering", fmt::format("k-means of {} test examples", shown.size()), [&] {
        const torch::Tensor codes = eval::encode_all(model, shown.features, device, shown.labels);
        metrics["clustering"] = {
            {"codes", eval::cluster_points(codes, shown.labels, options).to_json(codes.size(1))},
            {"features", eval::cluster_points(shown.features, shown.labels, options)
                             .to_json(shown.features[0].numel())}};
      });
    }
  }
  PlotReport figures;
  timed_phase(seconds, "figures", "figures", [&] {
    seed_everything(seed);
    figures = write_run_plots(model, splits.test, splits.class_names(), run.state.history, plots, {},
                              device);
  });
  const std::filesystem::path tsne_plot = charts_available() ? plots / "tsne.png" : std::filesystem::path();
  if (flags.tsne_points >= 4 && splits.test.size() >= 4) {
    const data::Dataset shown =
        splits.test.slice(0, std::min(flags.tsne_points, splits.test.size()));
    eval::TsneOptions options;
    options.threads = static_cast<int>(flags.threads);
    options.perplexity = std::min(30.0, static_cast<double>(shown.size() - 1) / 3.0 - 0.01);
    timed_phase(seconds, "tsne", fmt::format("t-SNE of {} test codes", shown.size()), [&] {
      metrics["tsne"] = tsne_json(eval::encode_all(model, shown.features, device, shown.labels),
                                  shown.labels,
                                  splits.class_names(), options, (plots / "tsne.npy").string(),
                                  tsne_plot, "the test codes");
    });
  }
  metrics["seconds"] = seconds;
  write_json_file(run.paths.root / "report.json", metrics);

  HtmlReport page(fmt::format("aekit run {}", run_dir));
  page.paragraph(
      fmt::format("{} ({} parameters), trained {} epochs on {}; test set of {} examples.",
                  get_string(run.state.config, "model", "type"), models::parameter_count(model),
                  run.state.epoch, splits.name, splits.test.size()));
  page.heading("Metrics");
  Rows rows;
  const Json& t = metrics["test"];
  add_row(rows, "test loss", t["loss"], "nats per example (the training objective)");
  add_row(rows, "reconstruction", t["reconstruction"], "nats per example");
  if (!t.value("category_accuracy", Json()).is_null()) {
    add_row(rows, "numeric columns", t["numeric_reconstruction"],
            "nats per example (the likelihood's part of the reconstruction)");
    add_row(rows, "categorical columns", t["category_reconstruction"],
            "nats per example (softmax cross-entropy)");
    add_row(rows, "category accuracy", t["category_accuracy"],
            "share of categorical values whose most likely category is the true one");
  }
  if (model.is_generative()) add_row(rows, "KL(q(z|x) || p(z))", t["kl"], "nats per example");
  if (!metrics["latent_activity"].is_null()) {
    const Json& a = metrics["latent_activity"];
    add_row(rows, "active latent units", a["active_units"],
            fmt::format("of {}, with a mean KL to the prior above {} nats",
                        model.latent_dim(), a["active_unit_threshold"].get<double>()),
            0);
  }
  if (molecules) {
    const Json& m = metrics["molecules"];
    add_row(rows, "token accuracy", m["token_accuracy"],
            "share of test tokens (padding aside) whose most likely prediction, given the tokens "
            "before it, is the true one");
    const std::string from_prior =
        fmt::format("of {} molecules decoded greedily from N(0, I) codes", m["samples"].get<int64_t>());
    add_row(rows, "validity", m["validity"],
            "share RDKit reads as a molecule, " + from_prior + " within the SMILES grammar");
    add_row(rows, "validity without the grammar", m["validity_unconstrained"],
            "the same codes decoded without constraints");
    add_row(rows, "uniqueness", m["uniqueness"], "distinct canonical SMILES among the valid");
    add_row(rows, "novelty", m["novelty"], "of the distinct, the share not in the training set");
    add_row(rows, "internal diversity", m["internal_diversity"],
            "1 - mean Tanimoto similarity of Morgan fingerprints (radius 2) over pairs");
    add_row(rows, "reconstruction", m["reconstruction"],
            fmt::format("share of {} test molecules that greedy decoding of their posterior mean "
                        "gives back",
                        m["reconstruction_examples"].get<int64_t>()));
    add_row(rows, "logP R^2 from the codes", m["logp_r2"],
            "ridge regression from the codes to RDKit's Crippen logP, fitted on the training split");
    if (m.contains("property_r2")) {
      add_row(rows, fmt::format("{} R^2 of the property head", m["property"].get<std::string>()),
              m["property_r2"],
              "the model's own prediction from the test codes, against RDKit's value");
    }
  } else {
    add_row(rows, "MSE", t["mse"], "per value", 6);
    add_row(rows, "BCE", t["bce"], "nats per value");
    add_row(rows, "PSNR", t["psnr"], "dB, peak 1", 2);
    add_row(rows, "SMAPE", t["smape"], "percent (0 to 200)", 2);
    add_row(rows, "rounded accuracy", t["rounded_accuracy"],
            "share of values with round(x) = round(x^)");
  }
  if (metrics.contains("likelihood")) {
    const Json& l = metrics["likelihood"];
    add_row(rows, "log p(x)", l["log_likelihood"],
            fmt::format("importance-weighted, k = {}, {} examples{}", l["samples"].get<int64_t>(),
                        l["examples"].get<int64_t>(), flags.binarize ? ", binarized" : ""),
            3);
    add_row(rows, "log p(x) standard error", l["standard_error"], "nats", 3);
  }
  if (!metrics["representation"].is_null()) {
    const Json& r = metrics["representation"];
    add_row(rows, "10-NN accuracy of the codes", r["knn_accuracy"],
            "test codes against training codes");
    add_row(rows, "linear probe accuracy", r["linear_probe_accuracy"],
            "logistic regression on the codes");
  }
  if (metrics.contains("frechet")) {
    const Json& f = metrics["frechet"];
    const std::string note = fmt::format(
        "vs the test set, {} samples each, on features of a classifier with test accuracy {:.4f}",
        f["samples"].get<int64_t>(), f["feature_network_test_accuracy"].get<double>());
    if (!f["generated"].is_null())
      add_row(rows, "Fréchet distance, generated", f["generated"], note, 3);
    add_row(rows, "Fréchet distance, reconstructions", f["reconstructions"], note, 3);
    add_row(rows, "Fréchet distance, training images", f["train_vs_test"],
            "the floor: two real sets", 3);
    if (f.contains("class_accuracy")) {
      std::vector<std::string> per_class;
      for (const Json& a : f["class_accuracy_per_class"]) per_class.push_back(eval::format_number(a, 3));
      add_row(rows, "generated samples of the requested class", f["class_accuracy"],
              fmt::format("the same classifier on samples decoded under the test set's classes; "
                          "per class {}",
                          fmt::join(per_class, ", ")));
    }
  }
  if (metrics.contains("clustering")) {
    const Json& c = metrics["clustering"];
    const std::string note = fmt::format("k-means, k = {}, {} test examples, against the labels",
                                         c["codes"]["k"].get<int64_t>(),
                                         c["codes"]["points"].get<int64_t>());
    add_row(rows, "ARI of clusters of the codes", c["codes"]["ari"], note);
    add_row(rows, "ARI of clusters of the inputs", c["features"]["ari"],
            "the same k-means on the inputs, for comparison");
    add_row(rows, "NMI of clusters of the codes", c["codes"]["nmi"], note);
    add_row(rows, "NMI of clusters of the inputs", c["features"]["nmi"],
            "the same k-means on the inputs");
  }
  if (metrics.contains("tsne") && metrics["tsne"].contains("knn_accuracy_map")) {
    const Json& s = metrics["tsne"];
    add_row(rows, "10-NN accuracy in the t-SNE map", s["knn_accuracy_map"],
            fmt::format("leave-one-out; {} in the codes themselves",
                        eval::format_number(s["knn_accuracy_input"])));
  }
  page.table({"metric", "value", "meaning"}, rows);
  if (molecules) {
    const std::vector<std::string> generated = metrics["molecules"]["generated"];
    page.svg(chem::molecule_grid_svg(
                 std::vector<std::string>(generated.begin(),
                                          generated.begin() + std::min<size_t>(24, generated.size())),
                 6, 200),
             "Molecules decoded from codes drawn from the prior, drawn by RDKit (an empty cell: "
             "not a valid molecule)");
  } else if (run.state.sample_shape.size() == 1 && splits.test.size() > 0) {
    write_table_reconstructions(page, model, splits, run.preprocessing, device);
  }

  page.heading("Figures");
  const std::vector<std::pair<std::string, std::string>> captions = {
      {"loss_curves.png", "Training and validation loss per epoch"},
      {"latent_scatter.png", "Test codes coloured by label"},
      {"manifold.png",
       "The 2-D latent manifold: decoded points at the normal inverse CDF of an even grid"},
      {"reconstructions.png", "Test images above their reconstructions"},
      {"samples.png",
       model.classes() > 0
           ? "Samples from the prior by class: one row per class, each column one code decoded "
             "under every class (what stays the same along a column is the style the code holds)"
           : "Samples from the prior"},
      {"interpolation.png",
       "Decoded linear paths between the codes of two test images (aekit interpolate)"},
      {"traversal.png",
       "One latent dimension swept per row, the others held (aekit traverse)"},
      {"tsne.png", "t-SNE map of the test codes"}};
  for (const auto& [file, caption] : captions) {
    const bool written = std::find(figures.written.begin(), figures.written.end(), plots / file) !=
                         figures.written.end();
    if (written || (file == "tsne.png" && metrics.contains("tsne") && !tsne_plot.empty())) {
      page.image(plots / file, caption);
    }
  }
  if (!figures.skipped.empty()) {
    page.paragraph(fmt::format("Not shown: {}", fmt::join(figures.skipped, "; ")));
  }

  page.heading("Config");
  page.preformatted(run.state.config.dump(2));
  const std::filesystem::path out =
      flags.out.empty() ? run.paths.root / "report.html" : std::filesystem::path(flags.out);
  if (out.has_parent_path()) ensure_directory(out.parent_path());
  page.write(out);
  return out;
}

}  // namespace aekit::viz
