// aekit report: one self-contained HTML page per run: the config, every metric, loss curves,
// latent scatter, manifold, reconstructions, samples, t-SNE map and likelihood.
#include "common.h"
#include "measure.h"

#include "aekit/core/file_io.h"
#include "aekit/core/runtime.h"
#include "aekit/eval/frechet.h"
#include "aekit/viz/html_report.h"
#include "aekit/viz/run_plots.h"

#include <spdlog/spdlog.h>

#include <iostream>

namespace aekit::cli {

namespace {

struct ReportFlags {
  std::string run_dir;
  ReportOptions report;
  RuntimeFlags runtime;
};

using Rows = std::vector<std::vector<std::string>>;

void add_row(Rows& rows, const std::string& name, const Json& value, const std::string& note,
             int decimals = 4) {
  rows.push_back({name, format_number(value, decimals), note});
}

}  // namespace

std::filesystem::path write_report(const std::string& run_dir, const ReportOptions& flags,
                                   const torch::Device& device) {
  const train::LoadedRun run = train::load_run(run_dir, device);
  const data::DataSplits splits = run_data(run, "", "");
  eval::check_data_fits_likelihood(*run.model, splits.test, splits.name);
  const auto seed = static_cast<uint64_t>(get_int(run.state.config, "train", "seed"));
  models::AutoencoderImpl& model = *run.model;
  const std::filesystem::path plots = run.paths.plots();
  ensure_directory(plots);

  Json metrics;
  Json seconds;  // each phase's time, printed as it ends and kept in report.json
  eval::LossSummary summary;
  timed_phase(seconds, "test loss and reconstruction metrics", [&] {
    seed_everything(seed);
    summary = eval::evaluate_loss(model, splits.test, 1000, device);
    metrics["test"] = loss_json(summary);
  });
  timed_phase(seconds, "k-NN and linear probe", [&] {
    metrics["representation"] = representation_json(model, splits, device, flags.probe_train);
  });
  if (model.is_generative() && flags.likelihood_samples > 0) {
    timed_phase(seconds,
                fmt::format("importance-weighted likelihood (k = {}, {} examples)",
                            flags.likelihood_samples, flags.likelihood_examples),
                [&] {
                  seed_everything(seed);
                  metrics["likelihood"] =
                      likelihood_json(model, splits.test, flags.likelihood_samples,
                                      flags.likelihood_examples, flags.binarize, seed, device);
                });
  }
  const bool labelled = splits.train.has_labels() && splits.test.has_labels();
  if (labelled && flags.frechet_samples > 0) {
    timed_phase(seconds, "Fréchet distances", [&] {
      seed_everything(seed);
      metrics["frechet"] = frechet_json(model, splits, flags.frechet_samples,
                                        flags.cache_dir.empty() ? eval::default_cache_dir()
                                                                : std::filesystem::path(flags.cache_dir),
                                        device);
    });
  }
  viz::PlotReport figures;
  timed_phase(seconds, "figures", [&] {
    seed_everything(seed);
    figures = viz::write_run_plots(model, splits.test, splits.class_names, run.state.history, plots,
                                   {}, device);
  });
  const std::filesystem::path tsne_plot = plots / "tsne.png";
  if (flags.tsne_points >= 4 && splits.test.size() >= 4) {
    const data::Dataset shown = splits.test.slice(0, std::min(flags.tsne_points, splits.test.size()));
    eval::TsneOptions options;
    options.threads = static_cast<int>(flags.threads);
    options.perplexity = std::min(30.0, static_cast<double>(shown.size() - 1) / 3.0 - 0.01);
    timed_phase(seconds, fmt::format("t-SNE of {} test codes", shown.size()), [&] {
      metrics["tsne"] = tsne_json(eval::encode_all(model, shown.features, device), shown.labels,
                                  splits.class_names, options, (plots / "tsne.npy").string(),
                                  tsne_plot, "the test codes");
    });
  }
  metrics["seconds"] = seconds;
  write_json_file(run.paths.root / "report.json", metrics);

  viz::HtmlReport page(fmt::format("aekit run {}", run_dir));
  page.paragraph(fmt::format("{} ({} parameters), trained {} epochs on {}; test set of {} examples.",
                             get_string(run.state.config, "model", "type"),
                             models::parameter_count(model), run.state.epoch, splits.name,
                             splits.test.size()));
  page.heading("Metrics");
  Rows rows;
  const Json& t = metrics["test"];
  add_row(rows, "test loss", t["loss"], "nats per example (the training objective)");
  add_row(rows, "reconstruction", t["reconstruction"], "nats per example");
  if (model.is_generative()) add_row(rows, "KL(q(z|x) || p(z))", t["kl"], "nats per example");
  add_row(rows, "MSE", t["mse"], "per value", 6);
  add_row(rows, "BCE", t["bce"], "nats per value");
  add_row(rows, "PSNR", t["psnr"], "dB, peak 1", 2);
  add_row(rows, "SMAPE", t["smape"], "percent (0 to 200)", 2);
  add_row(rows, "rounded accuracy", t["rounded_accuracy"], "share of values with round(x) = round(x^)");
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
    add_row(rows, "10-NN accuracy of the codes", r["knn_accuracy"], "test codes against training codes");
    add_row(rows, "linear probe accuracy", r["linear_probe_accuracy"], "logistic regression on the codes");
  }
  if (metrics.contains("frechet")) {
    const Json& f = metrics["frechet"];
    const std::string note = fmt::format("vs the test set, {} samples each, on features of a classifier with test accuracy {:.4f}",
                                         f["samples"].get<int64_t>(),
                                         f["feature_network_test_accuracy"].get<double>());
    if (!f["generated"].is_null()) add_row(rows, "Fréchet distance, generated", f["generated"], note, 3);
    add_row(rows, "Fréchet distance, reconstructions", f["reconstructions"], note, 3);
    add_row(rows, "Fréchet distance, training images", f["train_vs_test"], "the floor: two real sets", 3);
  }
  if (metrics.contains("tsne") && metrics["tsne"].contains("knn_accuracy_map")) {
    const Json& s = metrics["tsne"];
    add_row(rows, "10-NN accuracy in the t-SNE map", s["knn_accuracy_map"],
            fmt::format("leave-one-out; {} in the codes themselves",
                        format_number(s["knn_accuracy_input"])));
  }
  page.table({"metric", "value", "meaning"}, rows);

  page.heading("Figures");
  const std::vector<std::pair<std::string, std::string>> captions = {
      {"loss_curves.png", "Training and validation loss per epoch"},
      {"latent_scatter.png", "Test codes coloured by label"},
      {"manifold.png", "The 2-D latent manifold: decoded points at the normal inverse CDF of an even grid"},
      {"reconstructions.png", "Test images above their reconstructions"},
      {"samples.png", "Samples from the prior"},
      {"tsne.png", "t-SNE map of the test codes"}};
  for (const auto& [file, caption] : captions) {
    const bool written = std::find(figures.written.begin(), figures.written.end(), plots / file) !=
                         figures.written.end();
    if (written || (file == "tsne.png" && metrics.contains("tsne"))) {
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
  ensure_parent(out.string());
  page.write(out);
  return out;
}

namespace {

void run_report(const ReportFlags& flags) {
  const torch::Device device = setup_runtime(flags.runtime.device, flags.runtime.threads);
  ReportOptions options = flags.report;
  options.threads = flags.runtime.threads;
  const std::filesystem::path out = write_report(flags.run_dir, options, device);
  std::cout << "wrote " << out.string() << " and "
            << (std::filesystem::path(flags.run_dir) / "report.json").string() << "\n";
}

}  // namespace

void add_report_command(CLI::App& app) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* command = app.add_subcommand(
      "report", "One self-contained HTML report of a run: metrics, figures, t-SNE, likelihood");
  command->footer("Example:\n  aekit report runs/vae\n  aekit report runs/vae --tsne-points 2000 --out vae.html");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("--out", flags->report.out, "HTML file (default RUN/report.html)");
  command->add_option("--tsne-points", flags->report.tsne_points, "Test codes in the t-SNE map (0 = none)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  command->add_option("--likelihood-samples", flags->report.likelihood_samples,
                      "Importance samples per example for log p(x) (0 = skip)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{100000}));
  command->add_option("--likelihood-examples", flags->report.likelihood_examples,
                      "Test examples in the likelihood estimate (0 = all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--binarize", flags->report.binarize,
                    "Estimate the likelihood on a stochastically binarized test set");
  command->add_option("--frechet-samples", flags->report.frechet_samples,
                      "Samples on each side of the Fréchet distances (0 = skip)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{1000000}));
  command->add_option("--probe-train", flags->report.probe_train,
                      "Training codes for the k-NN and linear probe (0 = all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command->add_option("--cache-dir", flags->report.cache_dir,
                      "Feature network cache (default $AEKIT_CACHE_DIR, else ~/.cache/aekit)");
  flags->runtime.add_to(*command);
  command->callback([flags] { run_report(*flags); });
}

}  // namespace aekit::cli
