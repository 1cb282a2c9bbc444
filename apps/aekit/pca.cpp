// aekit pca: the PCA baseline of a dataset, and how a linear autoencoder's subspace compares to it.
#include "common.h"

#include "aekit/core/file_io.h"
#include "aekit/models/pca.h"
#include "aekit/train/run_config.h"

#include <iostream>

namespace aekit::cli {

namespace {

struct PcaFlags {
  ConfigFlags config;
  std::string run_dir;
  int64_t components = 2;
  std::string out;
};

/// The decoder's column space around the origin: decode(e_i) - decode(0), latent x D. Exact for a
/// linear decoder; its local directions for any other.
torch::Tensor decoder_directions(models::AutoencoderImpl& model) {
  torch::NoGradGuard no_grad;
  const int64_t latent = model.latent_dim();
  const torch::Tensor origin = model.decode(torch::zeros({1, latent})).flatten(1);
  return model.decode(torch::eye(latent)).flatten(1) - origin;
}

void run_pca(const PcaFlags& flags) {
  std::optional<train::LoadedRun> run;
  Json config;
  if (!flags.run_dir.empty()) {
    setup_runtime("cpu", flags.config.threads.value_or(0));
    run = train::load_run(flags.run_dir, torch::kCPU);
    config = run->state.config;
  } else {
    Json user = flags.config.config_file.empty() ? Json::object()
                                                 : read_json_file(flags.config.config_file);
    flags.config.apply(user);
    config = train::resolve_config(user);
    setup_runtime("cpu", get_int(config, "runtime", "threads"));
  }
  const auto splits = data::load_data(data::DataOptions::from_config(config),
                                      train::TrainOptions::from_config(config).seed,
                                      run ? &run->preprocessing : nullptr);
  const models::Pca pca = models::fit_pca(splits.train.features, flags.components);
  const auto features = static_cast<double>(splits.train.features[0].numel());
  const torch::Tensor ratio = pca.explained_variance / pca.total_variance;
  Json result = {
      {"data", splits.name},
      {"components", flags.components},
      {"explained_variance_ratio",
       std::vector<double>(ratio.data_ptr<double>(), ratio.data_ptr<double>() + ratio.numel())},
      {"pca_train_error", pca.reconstruction_error(splits.train.features)},
      {"pca_test_error", pca.reconstruction_error(splits.test.features)}};
  std::cout << fmt::format(
      "PCA of {} ({} train samples of {} features), {} components: explained "
      "variance ratio {:.4f}\n",
      splits.name, splits.train.size(), features, flags.components,
      fmt::join(result["explained_variance_ratio"].get<std::vector<double>>(), ", "));
  std::cout << fmt::format(
      "  reconstruction error (squared error per example): train {:.6f}, test {:.6f}\n",
      result["pca_train_error"].get<double>(), result["pca_test_error"].get<double>());
  if (run) {
    AEKIT_CHECK_INPUT(
        run->model->latent_dim() == flags.components,
        "--components {}: the run's code has {} dimensions; compare with as many components",
        flags.components, run->model->latent_dim());
    const torch::Tensor directions = decoder_directions(*run->model);
    const torch::Tensor angles =
        models::principal_angles_degrees(directions.t(), pca.components.t());
    torch::NoGradGuard no_grad;
    const torch::Tensor x = splits.train.features;
    const torch::Tensor x_hat = run->model->decode(run->model->encode(x));
    const double ae_error =
        (x_hat - x).to(torch::kFloat64).flatten(1).square().sum(1).mean().item<double>();
    result["run"] = flags.run_dir;
    result["largest_principal_angle_degrees"] = angles.max().item<double>();
    result["autoencoder_train_error"] = ae_error;
    result["error_ratio"] = ae_error / result["pca_train_error"].get<double>();
    write_json_file(run->paths.root / "pca.json", result);
    std::cout << fmt::format(
        "  {}: largest principal angle between the decoder's subspace and PCA's "
        "{:.3f} degrees; its train error {:.6f} is {:.4f} x PCA's\n",
        flags.run_dir, result["largest_principal_angle_degrees"].get<double>(), ae_error,
        result["error_ratio"].get<double>());
  }
  if (!flags.out.empty())
    data::write_array(flags.out, pca.encode(splits.test.features).to(torch::kFloat32));
}

}  // namespace

void add_pca_command(CLI::App& app) {
  auto flags = std::make_shared<PcaFlags>();
  CLI::App* command =
      app.add_subcommand("pca", "PCA baseline of a dataset; compare a linear autoencoder with it");
  command->footer(
      "Examples:\n  aekit pca -c configs/linear_ae_pca.json\n"
      "  aekit pca --run runs/linear_ae   (writes runs/linear_ae/pca.json)\n"
      "  aekit pca -c configs/stacked_ae.json --components 30 --out pca_codes.npy");
  flags->config.add_to(*command);
  command->add_option(
      "--run", flags->run_dir,
      "Run folder of a trained autoencoder: use its data and compare its decoder's subspace");
  command->add_option("--components", flags->components, "Principal components to keep")
      ->capture_default_str();
  command->add_option("--out", flags->out, "Write the test split's PCA codes here (.npy or .csv)");
  command->callback([flags] { run_pca(*flags); });
}

}  // namespace aekit::cli
