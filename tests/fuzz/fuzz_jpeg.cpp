// JPEG images, decoded to grey and to RGB (the image folders' reader).
#include "aekit/data/jpeg.h"

#include "fuzz_support.h"

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  for (const int64_t channels : {1, 3}) {
    aekit::fuzz::expect_input_errors_only(
        [&] { aekit::data::decode_jpeg(bytes, "input.jpg", channels); });
  }
  return 0;
}
