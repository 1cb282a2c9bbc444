// Builds a VAE from a config through the installed aekit package and runs one forward pass.
#include <aekit/aekit.h>

#include <iostream>

int main() {
  const aekit::Json config = aekit::train::resolve_config(
      aekit::Json{{"model", {{"encoder", {32}}, {"latent_dim", 3}}}});
  auto model = aekit::models::make_model(config["model"], {1, 8, 8});
  const auto terms = model->loss(torch::rand({4, 1, 8, 8}), model->forward(torch::rand({4, 1, 8, 8})));
  std::cout << "consumer ok: " << aekit::models::parameter_count(*model) << " parameters, loss "
            << terms.total.item<float>() << "\n";
  return terms.total.item<float>() > 0 ? 0 : 1;
}
