// The table of model families. Adding a family: write include/aekit/models/<family>.h and
// src/models/<family>.cpp with a `<family>_family()` entry, and add one line here.
#include "aekit/models/autoencoder.h"
#include "aekit/models/conv_autoencoder.h"
#include "aekit/models/conv_vae.h"
#include "aekit/models/mlp_autoencoder.h"
#include "aekit/models/mlp_vae.h"
#include "aekit/models/recurrent_autoencoder.h"
#include "aekit/models/sequence_vae.h"
#include "aekit/models/tied_autoencoder.h"
#include "aekit/models/vq_vae.h"

namespace aekit::models {

const Registry<ModelFamily>& model_families() {
  static const Registry<ModelFamily> families = [] {
    Registry<ModelFamily> r("model type");
    r.add("vae", mlp_vae_family());
    r.add("ae", mlp_autoencoder_family());
    r.add("tied_ae", tied_autoencoder_family());
    r.add("conv_ae", conv_autoencoder_family());
    r.add("lstm_ae", recurrent_autoencoder_family());
    r.add("conv_vae", conv_vae_family());
    r.add("cvae", mlp_cvae_family());
    r.add("conv_cvae", conv_cvae_family());
    r.add("vq_vae", vq_vae_family());
    r.add("seq_vae", sequence_vae_family());
    return r;
  }();
  return families;
}

std::string family_names_with(const std::function<bool(const FamilyTraits&)>& has) {
  std::vector<std::string> names;
  for (const std::string& name : model_families().names()) {
    if (has(model_families().get(name).traits)) names.push_back("'" + name + "'");
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

}  // namespace aekit::models
