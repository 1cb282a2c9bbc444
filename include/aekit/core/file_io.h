#pragma once
/// Writing files so that a reader never sees half of one: everything aekit writes (checkpoints,
/// configs, plots, arrays) goes to a temporary file beside the target, is flushed to disk, and is
/// then renamed over the target. A crash or a full disk leaves the previous file intact.

#include <filesystem>
#include <string>

namespace aekit {

/// The temporary name used while `target` is being written: `target.tmp-<pid>`, in the same folder
/// so that the final rename is atomic.
std::filesystem::path temporary_path_for(const std::filesystem::path& target);

/// Flushes `written` (a complete temporary file) to disk and renames it to `target`; on failure
/// removes `written` and throws RuntimeError naming `target`.
///
/// Example:
///   auto tmp = aekit::temporary_path_for(out);
///   archive.save_to(tmp.string());
///   aekit::commit_file(tmp, out);
void commit_file(const std::filesystem::path& written, const std::filesystem::path& target);

/// Writes `bytes` to `target` atomically. Throws RuntimeError naming `target` on failure.
void write_file_atomic(const std::filesystem::path& target, const std::string& bytes);

/// The whole contents of the file at `path`. Throws InputError naming it when it is missing or
/// unreadable.
std::string read_file(const std::filesystem::path& path);

/// Creates `dir` and its parents; throws RuntimeError naming it when that fails.
void ensure_directory(const std::filesystem::path& dir);

/// An exclusive lock on a folder (an flock on `dir/.lock` holding the owner's pid), held for the
/// object's lifetime and released by the kernel when the process dies, even by SIGKILL. Two aekit
/// processes training into one run folder would otherwise overwrite each other's checkpoints.
///
/// Example:
///   aekit::FolderLock lock("runs/vae");  // throws RuntimeError if another process holds it
class FolderLock {
 public:
  explicit FolderLock(const std::filesystem::path& dir);
  ~FolderLock();
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace aekit
