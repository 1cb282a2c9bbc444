// Checkpoint files: the state (config, epoch, history, shape), then the tensors into the model the
// state describes (when that model is small enough to build).
#include "aekit/nn/mlp.h"
#include "aekit/train/checkpoint.h"

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = aekit::fuzz::write_input("checkpoint.pt", data, size);
  aekit::fuzz::expect_input_errors_only([&] {
    const auto state = aekit::train::read_checkpoint_state(path);
    if (state.sample_shape.empty() || aekit::nn::flat_size(state.sample_shape) > 4096 ||
        !state.config.contains("model")) {
      return;
    }
    auto model = aekit::models::make_model(state.config.at("model"), state.sample_shape);
    if (aekit::models::parameter_count(*model) > 1000000) return;
    aekit::train::load_checkpoint_tensors(path, *model, nullptr);
  });
  return 0;
}
