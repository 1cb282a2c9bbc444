#pragma once
// Shared by the libFuzzer targets: each writes the fuzzer's bytes to a file (aekit's readers take
// paths, as users' files do) and calls one parser. aekit::InputError is the expected outcome for
// bad bytes; any other exception is a bug and aborts so that libFuzzer records it.

#include "aekit/core/error.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace aekit::fuzz {

/// A per-process scratch folder under /tmp.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    auto path = std::filesystem::temp_directory_path() / ("aekit-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(path);
    return path;
  }();
  return dir;
}

inline std::filesystem::path write_input(const std::string& name, const uint8_t* data, size_t size) {
  const auto path = scratch() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

/// Runs `parse`, accepting InputError; anything else is reported and aborts.
template <typename Parse>
void expect_input_errors_only(Parse&& parse) {
  try {
    parse();
  } catch (const aekit::InputError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "unexpected exception (not an InputError): %s\n", e.what());
    std::abort();
  }
}

}  // namespace aekit::fuzz
