#include "aekit/core/file_io.h"

#include "aekit/core/error.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <cstdio>
#include <cstring>

namespace aekit {

std::filesystem::path temporary_path_for(const std::filesystem::path& target) {
  return target.string() + ".tmp-" + std::to_string(::getpid());
}

namespace {

void fsync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void commit_file(const std::filesystem::path& written, const std::filesystem::path& target) {
  const int fd = ::open(written.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    const std::string reason = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    std::error_code ignored;
    std::filesystem::remove(written, ignored);
    fail_runtime("{}: cannot write ({})", target.string(), reason);
  }
  ::close(fd);
  if (std::rename(written.c_str(), target.c_str()) != 0) {
    const std::string reason = std::strerror(errno);
    std::error_code ignored;
    std::filesystem::remove(written, ignored);
    fail_runtime("{}: cannot replace ({})", target.string(), reason);
  }
  const auto parent = target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  fsync_path(parent, O_RDONLY | O_DIRECTORY);
}

void write_file_atomic(const std::filesystem::path& target, const std::string& bytes) {
  const auto tmp = temporary_path_for(target);
  std::FILE* file = std::fopen(tmp.c_str(), "wb");
  if (file == nullptr) {
    fail_runtime("{}: cannot write ({})", target.string(), std::strerror(errno));
  }
  const size_t written = std::fwrite(bytes.data(), 1, bytes.size(), file);
  const bool ok = written == bytes.size() && std::fflush(file) == 0;
  const std::string reason = std::strerror(errno);
  const bool closed = std::fclose(file) == 0;
  if (!ok || !closed) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    fail_runtime("{}: cannot write ({})", target.string(), reason);
  }
  commit_file(tmp, target);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  AEKIT_CHECK_INPUT(in.good() && !std::filesystem::is_directory(path),
                    "{}: cannot open the file (missing or unreadable)", path.string());
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void ensure_directory(const std::filesystem::path& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) {
    fail_runtime("{}: cannot create folder ({})", dir.string(), error.message());
  }
}

FolderLock::FolderLock(const std::filesystem::path& dir) {
  const auto path = dir / ".lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    fail_runtime("{}: cannot create lock file ({})", path.string(), std::strerror(errno));
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    char owner[32] = {};
    const ssize_t got = ::pread(fd_, owner, sizeof(owner) - 1, 0);
    ::close(fd_);
    fd_ = -1;
    fail_runtime("{}: run folder is in use by another aekit process{}; wait for it to finish or "
                 "choose another run folder",
                 dir.string(), got > 0 ? fmt::format(" (pid {})", std::string(owner, static_cast<size_t>(got))) : "");
  }
  const std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0) {
    [[maybe_unused]] const ssize_t written = ::pwrite(fd_, pid.data(), pid.size(), 0);
  }
}

FolderLock::~FolderLock() {
  if (fd_ >= 0) {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
}

}  // namespace aekit
