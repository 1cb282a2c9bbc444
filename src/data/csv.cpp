#include "aekit/data/csv.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "gzip_reader.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>
#include <limits>
#include <string>
#include <vector>

namespace aekit::data {

namespace {

std::vector<std::string> split_fields(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t comma = line.find(',', start);
    std::string field = line.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto first = field.find_first_not_of(" \t\"");
    const auto last = field.find_last_not_of(" \t\"\r");
    fields.push_back(first == std::string::npos ? "" : field.substr(first, last - first + 1));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return fields;
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

int64_t find_label_column(const std::string& spec, const std::vector<std::string>& header,
                          int64_t columns, const std::string& path) {
  if (spec.empty()) return -1;
  char* end = nullptr;
  const long index = std::strtol(spec.c_str(), &end, 10);
  if (end == spec.c_str() + spec.size()) {
    const int64_t resolved = index < 0 ? columns + index : index;
    AEKIT_CHECK_INPUT(resolved >= 0 && resolved < columns,
                      "{}: label column {} is out of range; the file has {} columns", path, spec,
                      columns);
    return resolved;
  }
  for (size_t i = 0; i < header.size(); ++i) {
    if (header[i] == spec) return static_cast<int64_t>(i);
  }
  AEKIT_CHECK_INPUT(!header.empty(),
                    "{}: label column '{}' given by name, but the file has no header row", path, spec);
  fail_input("{}: label column '{}' not found; columns are: {}", path, spec, fmt::join(header, ", "));
}

}  // namespace

CsvTable read_csv(const std::filesystem::path& file, const CsvOptions& options) {
  const std::string path = file.string();
  AEKIT_CHECK_INPUT(std::filesystem::is_regular_file(file), "{}: file not found", path);
  AEKIT_CHECK_INPUT(options.header == "auto" || options.header == "yes" || options.header == "no",
                    "csv header option: expected auto, yes or no, found '{}'", options.header);
  AEKIT_CHECK_INPUT(options.skip_rows >= 0, "csv skip_rows: expected 0 or more, found {}",
                    options.skip_rows);
  // Plain or gzip-compressed text alike (zlib reads an uncompressed file as it is).
  GzReader reader(file);
  std::istringstream in(reader.read_to_end());

  std::vector<std::string> header;
  std::vector<float> values;
  std::vector<int64_t> labels;
  int64_t columns = -1;
  int64_t label_column = -1;
  int64_t rows = 0;
  int64_t header_line = 0;  // the line taken as the header, 0 for none
  std::string line;
  for (int64_t line_number = 1; std::getline(in, line); ++line_number) {
    if (line_number <= options.skip_rows) continue;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos || line[0] == '#') continue;
    std::vector<std::string> fields = split_fields(line);
    if (columns < 0) {
      columns = static_cast<int64_t>(fields.size());
      const bool is_header = options.header == "yes" || (options.header == "auto" && !all_numbers(fields));
      if (is_header) {
        // The label column is looked up once the first data row confirms the width (below).
        header = fields;
        header_line = line_number;
        continue;
      }
      label_column = find_label_column(options.label_column, header, columns, path);
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
      label_column = find_label_column(options.label_column, header, columns, path);
    }
    AEKIT_CHECK_INPUT(static_cast<int64_t>(fields.size()) == columns,
                      "{} line {}: expected {} fields, found {}", path, line_number, columns,
                      fields.size());
    for (int64_t c = 0; c < columns; ++c) {
      double value = 0;
      AEKIT_CHECK_INPUT(parse_number(fields[c], value),
                        "{} line {} column {}: expected a number, found '{}'", path, line_number,
                        c + 1, fields[c]);
      AEKIT_CHECK_INPUT(std::isfinite(value), "{} line {} column {}: expected a finite number, found {}",
                        path, line_number, c + 1, fields[c]);
      AEKIT_CHECK_INPUT(std::fabs(value) <= std::numeric_limits<float>::max(),
                        "{} line {} column {}: {} is outside the float32 range (about +-3.4e38)", path,
                        line_number, c + 1, fields[c]);
      if (c == label_column) {
        AEKIT_CHECK_INPUT(value >= 0 && value == std::floor(value) && value < 1e9,
                          "{} line {} column {}: expected a whole-number label >= 0, found {}", path,
                          line_number, c + 1, fields[c]);
        labels.push_back(static_cast<int64_t>(value));
      } else {
        values.push_back(static_cast<float>(value));
      }
    }
    ++rows;
  }
  AEKIT_CHECK_INPUT(rows > 0, "{}: expected at least one data row, found none", path);
  const int64_t features = columns - (label_column >= 0 ? 1 : 0);
  AEKIT_CHECK_INPUT(features > 0, "{}: no feature columns left besides the label column", path);
  CsvTable table;
  table.features = torch::from_blob(values.data(), {rows, features}, torch::kFloat32).clone();
  if (label_column >= 0) {
    table.labels = torch::from_blob(labels.data(), {rows}, torch::kInt64).clone();
  }
  return table;
}

void write_csv(const std::filesystem::path& path, const torch::Tensor& values,
               const std::string& column_prefix) {
  const torch::Tensor data = values.to(torch::kCPU, torch::kFloat64).contiguous().view({values.size(0), -1});
  std::string text;
  const int64_t columns = data.size(1);
  for (int64_t c = 0; c < columns; ++c) {
    text += column_prefix + std::to_string(c) + (c + 1 < columns ? "," : "\n");
  }
  const double* row = data.data_ptr<double>();
  for (int64_t r = 0; r < data.size(0); ++r) {
    for (int64_t c = 0; c < columns; ++c) {
      text += fmt::format("{:.9g}", row[r * columns + c]);
      text += c + 1 < columns ? ',' : '\n';
    }
  }
  write_file_atomic(path, text);
}

}  // namespace aekit::data
