#pragma once
/// A one-line progress bar on stderr, redrawn at most ten times a second, shown only when stderr is
/// a terminal (logs and CI output stay clean).

#include <chrono>
#include <string>

namespace aekit::train {

/// Example:
///   ProgressBar bar("epoch 1/10", batches);
///   for (...) bar.update(b + 1, fmt::format("loss {:.2f}", loss));
///   bar.finish();
class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, bool enabled = true);
  void update(int64_t done, const std::string& status);
  /// Clears the line.
  void finish();

 private:
  std::string label_;
  int64_t total_;
  bool enabled_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

/// True when stderr is a terminal.
bool stderr_is_terminal();

}  // namespace aekit::train
