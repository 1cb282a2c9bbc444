#pragma once
/// A small case-insensitive name -> entry table. Model families, optimizers and data formats are
/// chosen by a `"type"` string in the config through one of these; an unknown name is an error that
/// lists every valid one.

#include "aekit/core/error.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <string>
#include <vector>

namespace aekit {

/// Lower-cases ASCII letters; registry keys are compared this way.
inline std::string to_lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// Name -> Entry, case-insensitive, names kept in insertion order for listings.
///
/// Example:
///   aekit::Registry<int> sizes("model size");
///   sizes.add("small", 1);
///   sizes.get("SMALL");  // 1
///   sizes.get("huge");   // throws InputError: unknown model size 'huge'; valid: small
template <typename Entry>
class Registry {
 public:
  /// `what` names the kind of entry in error messages ("model type", "optimizer").
  explicit Registry(std::string what) : what_(std::move(what)) {}

  /// Adds an entry; adding the same name twice replaces the first.
  void add(const std::string& name, Entry entry) {
    const std::string key = to_lower(name);
    if (entries_.count(key) == 0) {
      names_.push_back(name);
    }
    entries_[key] = std::move(entry);
  }

  bool contains(const std::string& name) const { return entries_.count(to_lower(name)) > 0; }

  /// Returns the entry; throws InputError naming `context` (e.g. a config key) when unknown.
  const Entry& get(const std::string& name, const std::string& context = "") const {
    const auto it = entries_.find(to_lower(name));
    if (it == entries_.end()) {
      fail_input("{}unknown {} '{}'; valid: {}", context.empty() ? "" : context + ": ", what_, name,
                 fmt::join(names_, ", "));
    }
    return it->second;
  }

  /// Names in the order they were added.
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::string what_;
  std::map<std::string, Entry> entries_;
  std::vector<std::string> names_;
};

}  // namespace aekit
