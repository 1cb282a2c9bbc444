// aekit generate: decode samples from the prior (N(0, I), or a VQ-VAE's learned prior), uniform
// codebook entries, a mixture fitted to the training codes, or decode given codes.
#include "common.h"

#include "aekit/core/error.h"
#include "aekit/core/runtime.h"
#include "aekit/eval/samplers.h"
#include "aekit/models/sequence_vae.h"

#include <spdlog/spdlog.h>

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
  std::string sampler = "prior";
  std::string label;
  double temperature = 0;
  int64_t beam = 1;
  RuntimeFlags runtime;
};

void run_generate(const GenerateFlags& flags) {
  AEKIT_CHECK_INPUT(flags.count >= 1, "--count: expected 1 or more, found {}", flags.count);
  const eval::SamplerSpec spec = eval::SamplerSpec::parse(flags.sampler, "--sampler");
  const bool given_codes = !flags.codes.empty();
  const auto [device, run, splits, run_seed] =
      open_command_run(flags.runtime, flags.run_dir, !given_codes && spec.mixture);
  const int64_t latent = run.model->latent_dim();
  torch::Tensor z;
  if (given_codes) {
    const torch::Tensor codes = data::load_features(flags.codes, data::DataOptions{});
    AEKIT_CHECK_INPUT(codes.size(0) > 0 && codes[0].numel() == latent,
                      "{}: expected codes of {} values, found {}", flags.codes, latent,
                      codes.size(0) > 0 ? codes[0].numel() : 0);
    z = codes.reshape({-1, latent});
  } else {
    const eval::LatentSampler sampler = eval::make_sampler(spec, run, splits.train, device);
    seed_everything(static_cast<uint64_t>(flags.seed));
    z = sampler.sample(flags.count);
    spdlog::info("sampler {}: {}", spec.name(), sampler.source);
  }
  torch::NoGradGuard no_grad;
  int64_t columns = 8;
  if (to_lower(flags.label) == "all") {
    // Every code under every class: row c holds class c.
    condition_class(*run.model, "--class", "0");
    const int64_t classes = run.model->classes();
    columns = z.size(0);
    z = z.repeat({classes, 1});
    run.model->set_condition(torch::arange(classes, torch::kInt64).repeat_interleave(columns));
  } else {
    condition_class(*run.model, "--class", flags.label);
  }
  auto* sequences = dynamic_cast<models::SequenceVaeImpl*>(run.model.get());
  AEKIT_CHECK_INPUT(flags.temperature == 0 || sequences != nullptr,
                    "--temperature: only token-sequence models (seq_vae) sample their tokens");
  AEKIT_CHECK_INPUT(flags.beam == 1 || sequences != nullptr,
                    "--beam: only token-sequence models (seq_vae) search their tokens");
  models::TokenDecoding decoding;
  decoding.temperature = flags.temperature;
  decoding.beam_width = flags.beam;
  const torch::Tensor samples =
      (sequences != nullptr ? sequences->decode_tokens(z.to(device), decoding)
                            : run.model->decode(z.to(device)))
          .to(torch::kCPU);
  write_images_or_array(flags.out, samples, run.preprocessing, columns);
  std::cout << fmt::format("wrote {} decoded samples to {}\n", samples.size(0), flags.out);
}

}  // namespace

void add_generate_command(CLI::App& app) {
  auto flags = std::make_shared<GenerateFlags>();
  CLI::App* command =
      app.add_subcommand("generate", "Decode samples from the prior or a fitted mixture, or given codes");
  command->alias("decode");
  command->footer(
      "--sampler gmm:K fits a K-component Gaussian mixture to the run's training codes (once per\n"
      "checkpoint, kept in RUN/sampler-gmmK.json): samples closer to the data than the prior's,\n"
      "and samples from deterministic autoencoders, which have no prior.\n"
      "Example:\n  aekit generate runs/vae --out samples.png --count 64\n"
      "  aekit generate runs/vae --sampler gmm:10 --out samples.png\n"
      "  aekit generate runs/conv_ae --sampler gmm --out samples.png\n"
      "A VQ-VAE samples its learned prior (aekit train-prior RUN first) or, with --sampler uniform,\n"
      "codebook entries drawn uniformly at each position of its code grid:\n"
      "  aekit generate runs/vq_vae --out samples.png\n"
      "  aekit generate runs/vq_vae --sampler uniform --out uniform.png\n"
      "  aekit decode runs/vae --codes codes.npy --out decoded.npy\n"
      "Conditional models (model.type cvae, conv_cvae) decode under --class C, or under every\n"
      "class with --class all (row c of the grid is class c, each column one code):\n"
      "  aekit generate runs/cvae --class 3 --out trousers.png\n"
      "  aekit generate runs/cvae --class all -n 8 --out by_class.png\n"
      "Molecule models (model.type seq_vae) write SMILES:\n"
      "  aekit generate runs/smiles_vae -n 100 --out mols.smi\n"
      "  aekit generate runs/smiles_vae -n 100 --out mols.csv   (validity, logp, tpsa, molwt)\n"
      "  aekit decode runs/smiles_vae --codes codes.npy --beam 5 --out back.smi");
  command->add_option("run", flags->run_dir, "Run folder written by aekit train")->required();
  command
      ->add_option("-o,--out", flags->out,
                   "Output file: .png (grid), .npy or .csv; molecules .smi, .csv (with RDKit's "
                   "properties), .svg (drawn) or .npy")
      ->required();
  command->add_option("--codes", flags->codes, "Decode these codes (NPY/CSV, N x latent) instead of sampling");
  command->add_option("-n,--count", flags->count, "How many samples")->capture_default_str();
  command
      ->add_option("--sampler", flags->sampler,
                   "prior (N(0, I) of VAEs; a VQ-VAE's learned prior), uniform (VQ-VAEs: uniform "
                   "codebook entries) or gmm[:K] (a K-component mixture fitted to the training "
                   "codes, default K 10; any family)")
      ->capture_default_str();
  command->add_option("--class", flags->label,
                      "Conditional models: the class to decode under (0, 1, ...), or all; required "
                      "for them, refused by others");
  command->add_option("--seed", flags->seed, "Seed of the samples")->capture_default_str();
  command
      ->add_option("--temperature", flags->temperature,
                   "Token-sequence models: 0 decodes the most likely token at each step; a "
                   "temperature > 0 samples each token from softmax(logits / temperature)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 100.0));
  command
      ->add_option("--beam", flags->beam,
                   "Token-sequence models: beam search of this width (the most likely whole "
                   "sequence among the width kept at each step); 1: one token at a time")
      ->capture_default_str()
      ->check(CLI::Range(int64_t{1}, int64_t{1000}));
  flags->runtime.add_to(*command);
  command->callback([flags] { run_generate(*flags); });
}

}  // namespace aekit::cli
