#pragma once
/// JSON helpers behind aekit's configuration: reading and atomically writing files, `key=value`
/// overrides, a merge that rejects unknown keys and wrong types, and typed getters whose errors name
/// the key. The schema of a run's config lives in train/run_config.h.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace aekit {

/// JSON with keys kept in the order written, so printed configs read like the docs.
using Json = nlohmann::ordered_json;

/// Reads a JSON file. Errors name the file and, for syntax errors, the byte offset.
Json read_json_file(const std::filesystem::path& path);

/// Writes `value` pretty-printed to `path` atomically (temporary file, then rename).
void write_json_file(const std::filesystem::path& path, const Json& value);

/// Applies one `key.path=value` override to `config`. The value is parsed as JSON when it is
/// valid JSON (numbers, true/false, arrays like [400,200]) and taken as a string otherwise.
///
/// Example:
///   apply_override(config, "train.lr=0.001");
///   apply_override(config, "model.encoder=[512,256]");
void apply_override(Json& config, const std::string& assignment);

/// Merges `user` over `defaults` recursively. Every key of `user` must exist in `defaults`, with a
/// compatible type (any number for a number, an array for an array); `where` prefixes key names in
/// errors ("model.", "train.").
Json merge_checked(const Json& defaults, const Json& user, const std::string& where = "");

/// Typed access with an error that names the key. `section` is e.g. "train".
double get_number(const Json& config, const std::string& section, const std::string& key);
int64_t get_int(const Json& config, const std::string& section, const std::string& key);
std::string get_string(const Json& config, const std::string& section, const std::string& key);
bool get_bool(const Json& config, const std::string& section, const std::string& key);
std::vector<int64_t> get_int_list(const Json& config, const std::string& section,
                                  const std::string& key);
std::vector<std::string> get_string_list(const Json& config, const std::string& section,
                                         const std::string& key);

}  // namespace aekit
