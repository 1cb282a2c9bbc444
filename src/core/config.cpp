#include "aekit/core/config.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"

#include <fstream>
#include <sstream>

namespace aekit {

Json read_json_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  AEKIT_CHECK_INPUT(in.good(), "{}: cannot open config file (missing or unreadable)", path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  try {
    return Json::parse(buffer.str());
  } catch (const Json::parse_error& e) {
    fail_input("{}: expected valid JSON, found a syntax error at byte {}", path.string(), e.byte);
  } catch (const Json::exception& e) {
    // For example a number too large for a double (found by fuzzing).
    fail_input("{}: expected valid JSON ({})", path.string(), e.what());
  }
}

void write_json_file(const std::filesystem::path& path, const Json& value) {
  write_file_atomic(path, value.dump(2) + "\n");
}

void apply_override(Json& config, const std::string& assignment) {
  const auto eq = assignment.find('=');
  AEKIT_CHECK_INPUT(eq != std::string::npos && eq > 0,
                    "--set '{}': expected key.path=value (for example train.lr=0.001)", assignment);
  const std::string key = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  Json value = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    value = text;
  }
  Json* node = &config;
  std::stringstream parts(key);
  std::string part;
  std::vector<std::string> path;
  while (std::getline(parts, part, '.')) {
    AEKIT_CHECK_INPUT(!part.empty(), "--set '{}': empty part in key '{}'", assignment, key);
    path.push_back(part);
  }
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    Json& child = (*node)[path[i]];
    if (!child.is_object()) {
      child = Json::object();
    }
    node = &child;
  }
  (*node)[path.back()] = value;
}

namespace {

const char* type_name(const Json& value) {
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_boolean()) return "true or false";
  if (value.is_array()) return "a list";
  if (value.is_object()) return "a section";
  return "null";
}

bool same_kind(const Json& a, const Json& b) {
  if (a.is_number() && b.is_number()) return true;
  return std::string(type_name(a)) == type_name(b);
}

std::vector<std::string> keys_of(const Json& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

}  // namespace

Json merge_checked(const Json& defaults, const Json& user, const std::string& where) {
  AEKIT_CHECK_INPUT(user.is_object(), "config {}: expected a section (JSON object), found {}",
                    where.empty() ? "root" : where.substr(0, where.size() - 1), type_name(user));
  Json merged = defaults;
  for (const auto& item : user.items()) {
    const std::string name = where + item.key();
    AEKIT_CHECK_INPUT(defaults.contains(item.key()), "config key '{}' is unknown; valid keys here: {}",
                      name, fmt::join(keys_of(defaults), ", "));
    const Json& base = defaults.at(item.key());
    if (base.is_object()) {
      merged[item.key()] = merge_checked(base, item.value(), name + ".");
      continue;
    }
    AEKIT_CHECK_INPUT(same_kind(base, item.value()), "config key '{}': expected {}, found {} ({})",
                      name, type_name(base), type_name(item.value()), item.value().dump());
    merged[item.key()] = item.value();
  }
  return merged;
}

namespace {

const Json& lookup(const Json& config, const std::string& section, const std::string& key) {
  AEKIT_CHECK_INPUT(config.contains(section) && config.at(section).contains(key),
                    "config key '{}.{}' is missing", section, key);
  return config.at(section).at(key);
}

}  // namespace

double get_number(const Json& config, const std::string& section, const std::string& key) {
  const Json& value = lookup(config, section, key);
  AEKIT_CHECK_INPUT(value.is_number(), "config key '{}.{}': expected a number, found {}", section,
                    key, value.dump());
  return value.get<double>();
}

int64_t get_int(const Json& config, const std::string& section, const std::string& key) {
  const Json& value = lookup(config, section, key);
  AEKIT_CHECK_INPUT(value.is_number_integer() || (value.is_number() &&
                                                   value.get<double>() == static_cast<double>(
                                                       static_cast<int64_t>(value.get<double>()))),
                    "config key '{}.{}': expected a whole number, found {}", section, key,
                    value.dump());
  return value.is_number_integer() ? value.get<int64_t>()
                                   : static_cast<int64_t>(value.get<double>());
}

std::string get_string(const Json& config, const std::string& section, const std::string& key) {
  const Json& value = lookup(config, section, key);
  AEKIT_CHECK_INPUT(value.is_string(), "config key '{}.{}': expected a string, found {}", section,
                    key, value.dump());
  return value.get<std::string>();
}

bool get_bool(const Json& config, const std::string& section, const std::string& key) {
  const Json& value = lookup(config, section, key);
  AEKIT_CHECK_INPUT(value.is_boolean(), "config key '{}.{}': expected true or false, found {}",
                    section, key, value.dump());
  return value.get<bool>();
}

std::vector<int64_t> get_int_list(const Json& config, const std::string& section,
                                  const std::string& key) {
  const Json& value = lookup(config, section, key);
  AEKIT_CHECK_INPUT(value.is_array(), "config key '{}.{}': expected a list of whole numbers, found {}",
                    section, key, value.dump());
  std::vector<int64_t> out;
  for (const auto& item : value) {
    AEKIT_CHECK_INPUT(item.is_number_integer(),
                      "config key '{}.{}': expected a list of whole numbers, found {}", section, key,
                      value.dump());
    out.push_back(item.get<int64_t>());
  }
  return out;
}

std::vector<std::string> get_string_list(const Json& config, const std::string& section,
                                         const std::string& key) {
  const Json& value = lookup(config, section, key);
  const bool strings = value.is_array() && std::all_of(value.begin(), value.end(),
                                                       [](const Json& i) { return i.is_string(); });
  AEKIT_CHECK_INPUT(strings, "config key '{}.{}': expected a list of strings, found {}", section,
                    key, value.dump());
  return value.get<std::vector<std::string>>();
}

}  // namespace aekit
