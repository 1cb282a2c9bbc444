#include "aekit/data/csv.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/core/registry.h"
#include "gzip_reader.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace aekit::data {

namespace {

/// Splits one CSV line into its fields, spaces around each trimmed. A field may be quoted as RFC
/// 4180 has it: `"a, b"` is one field holding a comma, and `""` inside quotes is one quote. Returns
/// false when a quote opens a field and does not close on the same line (line breaks inside
/// fields are not read).
bool split_fields(const std::string& line, std::vector<std::string>& fields) {
  fields.clear();
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
  size_t at = 0;
  while (true) {
    while (at < line.size() && is_space(line[at])) ++at;
    std::string field;
    if (at < line.size() && line[at] == '"') {
      ++at;
      while (true) {
        if (at >= line.size()) return false;
        if (line[at] == '"') {
          if (at + 1 < line.size() && line[at + 1] == '"') {
            field += '"';
            at += 2;
            continue;
          }
          ++at;
          break;
        }
        field += line[at++];
      }
      // Anything between the closing quote and the comma is kept, as most readers do.
      const size_t comma = line.find(',', at);
      const size_t end = comma == std::string::npos ? line.size() : comma;
      field += line.substr(at, end - at);
      at = end;
    } else {
      const size_t comma = line.find(',', at);
      const size_t end = comma == std::string::npos ? line.size() : comma;
      field = line.substr(at, end - at);
      at = end;
    }
    while (!field.empty() && is_space(field.back())) field.pop_back();
    fields.push_back(std::move(field));
    if (at >= line.size()) break;
    ++at;  // the comma
    if (at == line.size()) {
      fields.emplace_back();  // a line ending in a comma has an empty last field
      break;
    }
  }
  return true;
}

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  errno = 0;
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno != ERANGE;
}

bool all_numbers(const std::vector<std::string>& fields) {
  double ignored = 0;
  for (const auto& field : fields) {
    if (!parse_number(field, ignored)) return false;
  }
  return true;
}

/// The index of the column `spec` names (a 0-based index, negative from the end, or a header
/// name); `key` is the config key that gave it.
int64_t find_column(const std::string& spec, const std::vector<std::string>& header,
                    int64_t columns, const std::string& path, const char* key) {
  char* end = nullptr;
  const long index = std::strtol(spec.c_str(), &end, 10);
  if (!spec.empty() && end == spec.c_str() + spec.size()) {
    const int64_t resolved = index < 0 ? columns + index : index;
    AEKIT_CHECK_INPUT(resolved >= 0 && resolved < columns,
                      "{}: {} {} is out of range; the file has {} columns", path, key, spec,
                      columns);
    return resolved;
  }
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == spec) return static_cast<int64_t>(i);
  }
  AEKIT_CHECK_INPUT(!header.empty(), "{}: {} '{}' given by name, but the file has no header row",
                    path, key, spec);
  fail_input("{}: {} '{}' not found; columns are: {}", path, key, spec, fmt::join(header, ", "));
}

/// Which columns a table is read from: the label column (-1 for none) and the feature columns in
/// output order.
struct ColumnPlan {
  int64_t label = -1;
  std::vector<int64_t> features;
};

ColumnPlan plan_columns(const CsvOptions& options, const std::vector<std::string>& header,
                        int64_t columns, const std::string& path) {
  AEKIT_CHECK_INPUT(options.columns.empty() || options.ignore_columns.empty(),
                    "{}: data.columns and data.ignore_columns both given; use one of them", path);
  ColumnPlan plan;
  if (!options.label_column.empty()) {
    plan.label = find_column(options.label_column, header, columns, path, "label column");
  }
  std::vector<bool> taken(columns, false);
  if (plan.label >= 0) taken[plan.label] = true;
  if (!options.columns.empty()) {
    for (const std::string& spec : options.columns) {
      const int64_t c = find_column(spec, header, columns, path, "data.columns entry");
      AEKIT_CHECK_INPUT(c != plan.label, "{}: data.columns entry '{}' is the label column", path,
                        spec);
      AEKIT_CHECK_INPUT(!taken[c], "{}: data.columns names column '{}' twice", path, spec);
      taken[c] = true;
      plan.features.push_back(c);
    }
    return plan;
  }
  for (const std::string& spec : options.ignore_columns) {
    taken[find_column(spec, header, columns, path, "data.ignore_columns entry")] = true;
  }
  for (int64_t c = 0; c < columns; ++c) {
    if (!taken[c]) plan.features.push_back(c);
  }
  return plan;
}

/// The spellings of a missing value in tables people export (R, pandas, spreadsheets, UCI).
bool is_missing(const std::string& field) {
  if (field.empty() || field == "?") return true;
  const std::string lower = to_lower(field);
  return lower == "na" || lower == "n/a" || lower == "nan" || lower == "null" || lower == "none";
}

/// The distinct non-empty fields, sorted: the classes or categories of a column of text.
std::vector<std::string> distinct_sorted(std::vector<std::string> fields) {
  std::sort(fields.begin(), fields.end());
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());
  if (!fields.empty() && fields.front().empty()) fields.erase(fields.begin());
  return fields;
}

/// Labels from the label column's fields: whole numbers >= 0, or class names (when any field is
/// not a number), indexing `known` names when given, otherwise the sorted distinct names.
torch::Tensor parse_labels(const std::vector<std::string>& fields,
                           const std::vector<int64_t>& lines, int64_t column,
                           const std::vector<std::string>& known, const std::string& path,
                           std::vector<std::string>& class_names) {
  std::vector<int64_t> labels(fields.size());
  const bool numeric = known.empty() && all_numbers(fields);
  if (numeric) {
    for (size_t i = 0; i < fields.size(); ++i) {
      double value = 0;
      parse_number(fields[i], value);
      AEKIT_CHECK_INPUT(value >= 0 && value == std::floor(value) && value < 1e9,
                        "{} line {} column {}: expected a whole-number label >= 0 or a class name, "
                        "found {}",
                        path, lines[i], column + 1, fields[i]);
      labels[i] = static_cast<int64_t>(value);
    }
  } else {
    class_names = known.empty() ? distinct_sorted(fields) : known;
    std::map<std::string, int64_t> index;
    for (size_t i = 0; i < class_names.size(); ++i) index[class_names[i]] = static_cast<int64_t>(i);
    for (size_t i = 0; i < fields.size(); ++i) {
      const auto found = index.find(fields[i]);
      AEKIT_CHECK_INPUT(found != index.end(),
                        "{} line {} column {}: class '{}' is not one of the training data's "
                        "classes ({})",
                        path, lines[i], column + 1, fields[i], fmt::join(class_names, ", "));
      labels[i] = found->second;
    }
  }
  return torch::tensor(labels, torch::kInt64);
}

}  // namespace

CsvTable read_csv(const std::filesystem::path& file, const CsvOptions& options) {
  const std::string path = file.string();
  AEKIT_CHECK_INPUT(std::filesystem::is_regular_file(file), "{}: file not found", path);
  AEKIT_CHECK_INPUT(options.header == "auto" || options.header == "yes" || options.header == "no",
                    "csv header option: expected auto, yes or no, found '{}'", options.header);
  AEKIT_CHECK_INPUT(options.skip_rows >= 0, "csv skip_rows: expected 0 or more, found {}",
                    options.skip_rows);
  AEKIT_CHECK_INPUT(options.missing == "error" || options.missing == "impute",
                    "config key 'data.missing': expected error or impute, found '{}'",
                    options.missing);
  // Plain or gzip-compressed text alike (zlib reads an uncompressed file as it is).
  GzReader reader(file);
  const std::string text = reader.read_to_end();

  std::vector<std::string> header;
  std::vector<float> values;
  std::vector<std::string> label_fields;
  std::vector<int64_t> row_lines;                    // the line of each data row
  std::vector<std::pair<size_t, size_t>> row_spans;  // where each data row's text lies
  int64_t columns = -1;
  ColumnPlan plan;
  std::vector<bool> categorical;                          // per feature column
  std::vector<std::vector<std::string>> category_fields;  // per categorical column, per row
  std::vector<int64_t> turned_at;  // per feature column: the row where text first showed, or 0
  int64_t rows = 0;
  int64_t header_line = 0;  // the line taken as the header, 0 for none
  const auto column_text = [&](int64_t c) {
    return c < static_cast<int64_t>(header.size()) ? fmt::format("{} ('{}')", c + 1, header[c])
                                                   : std::to_string(c + 1);
  };
  const auto start_columns = [&]() {
    plan = plan_columns(options, header, columns, path);
    const size_t features = plan.features.size();
    categorical.assign(features, false);
    category_fields.assign(features, {});
    turned_at.assign(features, 0);
    for (const std::string& spec : options.categorical) {
      const int64_t c = find_column(spec, header, columns, path, "data.categorical entry");
      const auto found = std::find(plan.features.begin(), plan.features.end(), c);
      AEKIT_CHECK_INPUT(found != plan.features.end(),
                        "{}: data.categorical entry '{}' is not one of the feature columns", path,
                        spec);
      categorical[found - plan.features.begin()] = true;
    }
    if (options.known != nullptr && !options.known->categories.empty()) {
      AEKIT_CHECK_INPUT(options.known->categories.size() == features,
                        "{}: expected {} feature columns like the training file, found {}", path,
                        options.known->categories.size(), features);
      for (size_t j = 0; j < features; ++j) {
        if (options.known->categorical(static_cast<int64_t>(j))) categorical[j] = true;
      }
    }
  };
  size_t position = 0;
  for (int64_t line_number = 1; position < text.size(); ++line_number) {
    size_t line_end = text.find('\n', position);
    if (line_end == std::string::npos) line_end = text.size();
    const size_t line_start = position;
    std::string line = text.substr(line_start, line_end - line_start);
    position = line_end + 1;
    if (line_number <= options.skip_rows) continue;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos || line[0] == '#') continue;
    std::vector<std::string> fields;
    AEKIT_CHECK_INPUT(split_fields(line, fields),
                      "{} line {}: a quoted field does not close on its line (fields holding line "
                      "breaks are not read)",
                      path, line_number);
    if (columns < 0) {
      columns = static_cast<int64_t>(fields.size());
      const bool is_header = options.header == "yes" || (options.header == "auto" && !all_numbers(fields));
      if (is_header) {
        // The columns are looked up once the first data row confirms the width (below).
        header = fields;
        header_line = line_number;
        continue;
      }
      start_columns();
    }
    if (rows == 0 && header_line > 0) {
      // The first data row: a header whose width differs is probably not the data's header.
      AEKIT_CHECK_INPUT(
          static_cast<int64_t>(fields.size()) == columns,
          "{} line {}: expected {} fields, found {}; line {} was taken as a header of {} names "
          "while the data has {} columns: if it is not the data's header, skip it with "
          "data.skip_rows={}",
          path, line_number, columns, fields.size(), header_line, columns, fields.size(),
          header_line);
      start_columns();
    }
    AEKIT_CHECK_INPUT(static_cast<int64_t>(fields.size()) == columns,
                      "{} line {}: expected {} fields, found {}", path, line_number, columns,
                      fields.size());
    if (plan.label >= 0) {
      const std::string& label = fields[plan.label];
      AEKIT_CHECK_INPUT(!is_missing(label), "{} line {} column {}: the label is missing ('{}')",
                        path, line_number, column_text(plan.label), label);
      label_fields.push_back(label);
    }
    for (size_t j = 0; j < plan.features.size(); ++j) {
      const int64_t c = plan.features[j];
      const std::string& field = fields[c];
      if (is_missing(field)) {
        AEKIT_CHECK_INPUT(options.missing == "impute",
                          "{} line {} column {}: missing value ('{}'); set data.missing=impute to "
                          "fill missing values with the training mean (the most frequent "
                          "category), or leave the column out with data.ignore_columns",
                          path, line_number, column_text(c), field);
        values.push_back(std::numeric_limits<float>::quiet_NaN());
        if (categorical[j]) category_fields[j].emplace_back();
        continue;
      }
      if (categorical[j]) {
        category_fields[j].push_back(field);
        values.push_back(0.0f);  // the category's index, once all are known
        continue;
      }
      double value = 0;
      if (!parse_number(field, value)) {
        AEKIT_CHECK_INPUT(options.known == nullptr,
                          "{} line {} column {}: expected a number as in the training file, found "
                          "'{}'",
                          path, line_number, column_text(c), field);
        // A column with text holds categories; its earlier rows are read again as text once the
        // whole file is read (one pass for every such column).
        categorical[j] = true;
        turned_at[j] = rows;
        category_fields[j].push_back(field);
        values.push_back(0.0f);
        continue;
      }
      AEKIT_CHECK_INPUT(std::isfinite(value), "{} line {} column {}: expected a finite number, found {}",
                        path, line_number, column_text(c), field);
      AEKIT_CHECK_INPUT(std::fabs(value) <= std::numeric_limits<float>::max(),
                        "{} line {} column {}: {} is outside the float32 range (about +-3.4e38)", path,
                        line_number, column_text(c), field);
      values.push_back(static_cast<float>(value));
    }
    row_lines.push_back(line_number);
    row_spans.emplace_back(line_start, line_end - line_start);
    ++rows;
  }
  AEKIT_CHECK_INPUT(rows > 0, "{}: expected at least one data row, found none", path);
  // The rows read before a column showed text, read again as text: each row split once.
  const int64_t reread =
      turned_at.empty() ? 0 : *std::max_element(turned_at.begin(), turned_at.end());
  if (reread > 0) {
    std::vector<std::vector<std::string>> earlier(plan.features.size());
    for (int64_t r = 0; r < reread; ++r) {
      std::string line = text.substr(row_spans[r].first, row_spans[r].second);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      std::vector<std::string> fields;
      split_fields(line, fields);  // read once already
      for (size_t j = 0; j < plan.features.size(); ++j) {
        if (r >= turned_at[j]) continue;
        const std::string& field = fields[plan.features[j]];
        earlier[j].push_back(is_missing(field) ? std::string() : field);
      }
    }
    for (size_t j = 0; j < plan.features.size(); ++j) {
      if (turned_at[j] == 0) continue;
      category_fields[j].insert(category_fields[j].begin(), earlier[j].begin(), earlier[j].end());
    }
  }
  const auto features = static_cast<int64_t>(plan.features.size());
  AEKIT_CHECK_INPUT(features > 0, "{}: no feature columns left besides the label column", path);
  CsvTable table;
  table.features = torch::from_blob(values.data(), {rows, features}, torch::kFloat32).clone();
  float* data = table.features.data_ptr<float>();
  for (int64_t j = 0; j < features; ++j) {
    if (!categorical[j]) continue;
    const int64_t c = plan.features[j];
    std::vector<std::string> names = options.known != nullptr && options.known->categorical(j)
                                         ? options.known->categories[j]
                                         : distinct_sorted(category_fields[j]);
    AEKIT_CHECK_INPUT(!names.empty(), "{} column {}: every value is missing; nothing to take "
                      "categories from", path, column_text(c));
    std::map<std::string, int64_t> index;
    for (size_t k = 0; k < names.size(); ++k) index[names[k]] = static_cast<int64_t>(k);
    for (int64_t r = 0; r < rows; ++r) {
      const std::string& field = category_fields[j][r];
      if (field.empty()) continue;  // missing: NaN until imputed
      const auto found = index.find(field);
      AEKIT_CHECK_INPUT(found != index.end(),
                        "{} line {} column {}: category '{}' is not one of the training data's "
                        "categories ({})",
                        path, row_lines[r], column_text(c), field, fmt::join(names, ", "));
      data[r * features + j] = static_cast<float>(found->second);
    }
    table.table.categories.resize(features);
    table.table.categories[j] = std::move(names);
  }
  if (plan.label >= 0) {
    table.labels = parse_labels(label_fields, row_lines, plan.label,
                                options.known != nullptr ? options.known->class_names
                                                         : std::vector<std::string>{},
                                path, table.table.class_names);
  }
  if (!header.empty()) {
    for (const int64_t c : plan.features) table.table.column_names.push_back(header[c]);
  }
  return table;
}

void write_csv(const std::filesystem::path& path, const torch::Tensor& values,
               const std::vector<std::string>& names,
               const std::vector<std::vector<std::string>>& categories) {
  const torch::Tensor data = values.to(torch::kCPU, torch::kFloat64).contiguous().view({values.size(0), -1});
  const int64_t columns = data.size(1);
  AEKIT_CHECK_INPUT(static_cast<int64_t>(names.size()) == columns,
                    "{}: {} column names for {} columns", path.string(), names.size(), columns);
  AEKIT_CHECK_INPUT(categories.empty() || static_cast<int64_t>(categories.size()) == columns,
                    "{}: categories of {} columns for {} columns", path.string(), categories.size(),
                    columns);
  // A name holding a comma or a quote is quoted, as CSV readers expect.
  const auto quote = [](const std::string& name) {
    if (name.find_first_of(",\"") == std::string::npos) return name;
    std::string quoted = "\"";
    for (const char ch : name) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
    return quoted + "\"";
  };
  std::string text;
  for (int64_t c = 0; c < columns; ++c) {
    text += quote(names[c]);
    text += c + 1 < columns ? "," : "\n";
  }
  const double* row = data.data_ptr<double>();
  for (int64_t r = 0; r < data.size(0); ++r) {
    for (int64_t c = 0; c < columns; ++c) {
      const double value = row[r * columns + c];
      if (!categories.empty() && !categories[c].empty()) {
        const auto k = static_cast<int64_t>(value);
        AEKIT_CHECK_INPUT(value == std::floor(value) && k >= 0 &&
                              k < static_cast<int64_t>(categories[c].size()),
                          "{}: column {} holds {}, not the index of one of its {} categories",
                          path.string(), names[c], value, categories[c].size());
        text += quote(categories[c][k]);
      } else {
        text += fmt::format("{:.9g}", value);
      }
      text += c + 1 < columns ? ',' : '\n';
    }
  }
  write_file_atomic(path, text);
}

}  // namespace aekit::data
