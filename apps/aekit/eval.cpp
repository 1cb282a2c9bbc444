// aekit eval: test loss of a trained run with its parts, reconstruction metrics, the codes' k-NN
// and linear-probe accuracy, and on request the importance-weighted likelihood and Fréchet
// distances.
#include "common.h"
#include "aekit/eval/measurements.h"
#include "aekit/viz/run_report.h"

#include "aekit/core/file_io.h"
#include "aekit/core/runtime.h"
#include "aekit/eval/frechet.h"
#include "aekit/eval/molecule_metrics.h"

#include <cmath>
#include <iostream>
#include <optional>

namespace aekit::cli {

namespace {

struct EvalFlags {
  std::string run_dir;
  std::string input;
  std::string labels;
  int64_t batch_size = 1000;
  std::string noise = "none";
  bool no_probes = false;
  bool likelihood = false;
  int64_t samples = 5000;
  int64_t examples = 0;
  bool binarize = false;
  bool frechet = false;
  int64_t frechet_samples = 10000;
  int64_t molecule_samples = 1000;
  int64_t beam = 1;
  std::string sampler = "prior";
  std::string cache_dir;
  RuntimeFlags runtime;
};

void run_eval(const EvalFlags& flags) {
  const auto [device, run, splits, seed] =
      open_command_run(flags.runtime, flags.run_dir, true, flags.input, flags.labels);
  eval::check_data_fits_likelihood(*run.model, splits.test, splits.name);
  const bool molecules = eval::is_molecule_model(*run.model, splits);
  AEKIT_CHECK_INPUT(flags.beam == 1 || molecules,
                    "--beam: only molecule models (seq_vae) are decoded by beam search, found "
                    "model type '{}'",
                    run.state.config["model"]["type"].get<std::string>());
  const nn::InputNoise noise = nn::parse_noise_spec(flags.noise, "--noise");
  const eval::LossSummary summary =
      eval::evaluate_loss(*run.model, splits.test, flags.batch_size, device, noise);
  Json result = eval::loss_json(summary);
  result["data"] = flags.input.empty() ? splits.name + " (test)" : flags.input;
  result["noise"] = flags.noise;
  result["epochs_trained"] = run.state.epoch;
  std::cout << fmt::format(
      "test loss {:.4f} (reconstruction {:.4f}, kl {:.4f}) on {} examples of {}{}\n", summary.loss,
      summary.reconstruction, summary.kl, summary.examples, result["data"].get<std::string>(),
      noise.kind == nn::NoiseKind::kNone ? "" : ", inputs corrupted by " + flags.noise);
  if (!molecules) {
    std::cout << fmt::format("rounded accuracy {:.4f}, MSE {:.6f}, BCE {} per value, PSNR {:.2f} dB, "
                             "SMAPE {:.2f}%\n",
                             summary.rounded_accuracy, summary.mse,
                             eval::format_number(result["bce"]), summary.psnr, summary.smape);
  }
  if (std::isfinite(summary.category_accuracy)) {
    std::cout << fmt::format(
        "numeric columns {:.4f} nats, categorical columns {:.4f} nats (cross-entropy) per "
        "example; most likely category right for {:.4f} of categorical values\n",
        summary.numeric_reconstruction, summary.category_reconstruction,
        summary.category_accuracy);
  }
  const Json activity = eval::latent_activity_json(*run.model, splits.test, device);
  result["latent_activity"] = activity;
  if (!activity.is_null()) {
    std::cout << fmt::format("active latent units {} of {} (mean KL to the prior > {} nats)\n",
                             activity["active_units"].get<int64_t>(), run.model->latent_dim(),
                             activity["active_unit_threshold"].get<double>());
  }
  if (summary.penalty != 0) {
    // The objective's extra term: a sparsity penalty, or a VQ-VAE's commitment term.
    std::cout << fmt::format("{} {:.6f}, mean code activation {:.4f}\n",
                             run.model->objective().sparsity.kind != losses::SparsityKind::kNone
                                 ? "sparsity penalty"
                                 : "penalty (commitment term)",
                             summary.penalty, summary.code_mean);
  }
  if (molecules) {
    // On the test split: generation from the prior and the logP probe as well; on a user's
    // molecules (--input): how well they come back.
    const Json m = flags.input.empty()
                       ? eval::molecule_metrics_json(*run.model, splits, flags.molecule_samples, 0,
                                                     seed, device, flags.beam)
                       : eval::molecule_reconstruction_json(*run.model, splits.test,
                                                            splits.preprocessing.table, device,
                                                            flags.beam);
    result["molecules"] = m;
    if (m.contains("validity")) {
      std::cout << fmt::format(
          "molecules from {} prior samples: validity {}, uniqueness {}, novelty {}, internal "
          "diversity {} (decoded without the SMILES grammar: validity {}, uniqueness {})\n",
          m["samples"].get<int64_t>(), eval::format_number(m["validity"]),
          eval::format_number(m["uniqueness"]), eval::format_number(m["novelty"]),
          eval::format_number(m["internal_diversity"]),
          eval::format_number(m["validity_unconstrained"]),
          eval::format_number(m["uniqueness_unconstrained"]));
    }
    std::cout << fmt::format("{} decoded back from their codes: {} of {}; token accuracy {}{}\n",
                             flags.input.empty() ? "test molecules" : "molecules of " + flags.input,
                             eval::format_number(m["reconstruction"]),
                             m["reconstruction_examples"].get<int64_t>(),
                             eval::format_number(m["token_accuracy"]),
                             m.contains("logp_r2")
                                 ? "; logP from the codes: R^2 " + eval::format_number(m["logp_r2"])
                                 : std::string());
    if (m.contains("property_r2")) {
      std::cout << fmt::format("{} predicted by the model's property head: R^2 {}\n",
                               m["property"].get<std::string>(),
                               eval::format_number(m["property_r2"]));
    }
    if (m.contains("reconstruction_beam")) {
      std::cout << fmt::format("with beam search of width {}: {} of the molecules decoded back\n",
                               flags.beam, eval::format_number(m["reconstruction_beam"]));
    }
  }
  if (!flags.no_probes && flags.input.empty() && !molecules) {
    const Json probes = eval::representation_json(*run.model, splits, device);
    result["representation"] = probes;
    if (probes.is_null()) {
      std::cout << "k-NN and linear probe: skipped, the data has no labels\n";
    } else {
      std::cout << fmt::format(
          "codes: {}-NN accuracy {:.4f}, linear probe accuracy {:.4f} (train {:.4f})\n",
          probes["knn_k"].get<int64_t>(), probes["knn_accuracy"].get<double>(),
          probes["linear_probe_accuracy"].get<double>(),
          probes["linear_probe_train_accuracy"].get<double>());
    }
  }
  if (flags.likelihood) {
    const Json estimate = eval::likelihood_json(*run.model, splits.test, flags.samples, flags.examples,
                                          flags.binarize, seed, device);
    result["likelihood"] = estimate;
    std::cout << fmt::format(
        "log p(x) >= {:.3f} +- {:.3f} nats (importance-weighted, k = {}, {} examples{})\n",
        estimate["log_likelihood"].get<double>(), estimate["standard_error"].get<double>(),
        flags.samples, estimate["examples"].get<int64_t>(),
        flags.binarize ? ", binarized" : "");
  }
  if (flags.frechet) {
    const eval::SamplerSpec spec = eval::SamplerSpec::parse(flags.sampler, "--sampler");
    std::optional<eval::LatentSampler> sampler;
    // A VQ-VAE's prior is the one its folder holds (train-prior); without it, no samples.
    if (spec.mixture || spec.uniform || train::has_code_prior(run.paths)) {
      sampler = eval::make_sampler(spec, run, splits.train, device);
    }
    const Json fd = eval::frechet_json(
        *run.model, splits, flags.frechet_samples,
        flags.cache_dir.empty() ? eval::default_cache_dir() : std::filesystem::path(flags.cache_dir),
        device, sampler ? &*sampler : nullptr);
    result["frechet"] = fd;
    std::cout << fmt::format(
        "Fréchet distance on {} samples: generated {} (sampler {}), reconstructions {}, train vs "
        "test {} (feature network test accuracy {:.4f})\n",
        fd["samples"].get<int64_t>(), eval::format_number(fd["generated"], 3),
        fd["sampler"].is_null() ? "none" : fd["sampler"].get<std::string>(),
        eval::format_number(fd["reconstructions"], 3), eval::format_number(fd["train_vs_test"], 3),
        fd["feature_network_test_accuracy"].get<double>());
    if (fd.contains("class_accuracy")) {
      std::vector<std::string> per_class;
      for (const Json& a : fd["class_accuracy_per_class"]) {
        per_class.push_back(eval::format_number(a, 3));
      }
      std::cout << fmt::format(
          "generated samples classified as the class they were decoded under: {:.4f} (per class "
          "{})\n",
          fd["class_accuracy"].get<double>(), fmt::join(per_class, " "));
    }
  }
  if (flags.input.empty() && noise.kind == nn::NoiseKind::kNone) {
    write_json_file(run.paths.root / "eval.json", result);
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto flags = std::make_shared<EvalFlags>();
  CLI::App* command = app.add_subcommand(
      "eval", "Test loss with its parts, reconstruction metrics, probes, likelihood, Fréchet");
  command->footer(
      "Example:\n  aekit eval runs/vae\n  aekit eval runs/vae --likelihood --samples 5000\n"
      "  aekit eval runs/vae --frechet\n  aekit eval runs/conv_ae --frechet --sampler gmm:10\n"
      "  aekit eval runs/vq_vae --frechet --sampler uniform   (after train-prior: --sampler prior)\n"
      "  aekit eval runs/vae --input my_images.npy\n"
      "  aekit eval runs/denoising_ae --noise gaussian:0.2");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command->add_option("--input", flags->input,
                      "Evaluate on this IDX/NPY/CSV file instead of the test split");
  command->add_option("--labels", flags->labels, "Labels file for --input");
  command->add_option("--batch-size", flags->batch_size, "Evaluation batch size")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1} << 30));
  command
      ->add_option("--noise", flags->noise,
                   "Corrupt the inputs (scored against the clean data): none, gaussian[:sigma] "
                   "(default 0.2), dropout[:p] (default 0.5)")
      ->capture_default_str();
  command->add_flag("--no-probes", flags->no_probes,
                    "Skip the k-NN and linear-probe accuracy of the codes");
  command->add_flag("--likelihood", flags->likelihood,
                    "Estimate log p(x) by importance sampling (VAEs)");
  command->add_option("--samples", flags->samples, "Importance samples per example")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{100000}));
  command->add_option("--examples", flags->examples, "Test examples scored (0 = all)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--binarize", flags->binarize,
                    "Score a stochastically binarized test set (seeded by train.seed): the "
                    "benchmark protocol for models trained with train.binarize");
  command->add_flag("--frechet", flags->frechet,
                    "Fréchet distances of generated samples and reconstructions (trains and "
                    "caches a feature network the first time)");
  command->add_option("--frechet-samples", flags->frechet_samples, "Samples on each side")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{2}, int64_t{1000000}));
  command
      ->add_option("--sampler", flags->sampler,
                   "Codes of the generated samples for --frechet: prior (N(0, I) of VAEs; a "
                   "VQ-VAE's learned prior, aekit train-prior), uniform (VQ-VAEs: codebook entries "
                   "drawn uniformly) or gmm[:K] (a K-component mixture fitted to the training "
                   "codes, default K 10; any family)")
      ->capture_default_str();
  command
      ->add_option("--molecule-samples", flags->molecule_samples,
                   "Molecule models: prior samples decoded for validity, uniqueness, novelty and "
                   "diversity")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000000}));
  command
      ->add_option("--beam", flags->beam,
                   "Molecule models: also decode the test molecules by beam search of this width")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  command->add_option("--cache-dir", flags->cache_dir,
                      "Feature network cache (default $AEKIT_CACHE_DIR, else ~/.cache/aekit)");
  flags->runtime.add_to(*command);
  command->callback([flags] { run_eval(*flags); });
}

}  // namespace aekit::cli
