#pragma once
/// Errors thrown by aekit. The library never exits or aborts: it throws one of these, and only
/// the program's `main` turns them into a message on stderr and an exit status.
///
/// Messages name the file, line or key involved, what was expected and what was found, e.g.
/// `"data/train.csv line 17: expected 784 numbers, found 783"`.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <stdexcept>
#include <string>

namespace aekit {

/// Bad input a user can fix: a file, a config key, a flag. The program exits with status 2.
///
/// Example:
///   throw aekit::InputError("config key 'train.lr': expected a number > 0, found -1");
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A failure while running: a non-finite loss, a failed write. The program exits with status 1.
class RuntimeError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws InputError with a fmt-formatted message.
///
/// Example:
///   aekit::fail_input("{}: expected IDX magic 0x0000, found {:#06x}", path, magic);
template <typename... Args>
[[noreturn]] void fail_input(fmt::format_string<Args...> format, Args&&... args) {
  throw InputError(fmt::format(format, std::forward<Args>(args)...));
}

/// Throws RuntimeError with a fmt-formatted message.
template <typename... Args>
[[noreturn]] void fail_runtime(fmt::format_string<Args...> format, Args&&... args) {
  throw RuntimeError(fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace aekit

/// Checks a condition on user input; throws aekit::InputError with the formatted message when false.
///
/// Example:
///   AEKIT_CHECK_INPUT(rows > 0, "{}: expected at least one row, found none", path);
#define AEKIT_CHECK_INPUT(cond, ...)    \
  do {                                  \
    if (!(cond)) {                      \
      ::aekit::fail_input(__VA_ARGS__); \
    }                                   \
  } while (false)
