// A hand-written scanner: RDKit parses SMILES into molecules but has no public tokeniser that
// gives back the text's own tokens, and a sequence model needs exactly those.
#include "aekit/data/smiles.h"

#include "aekit/core/error.h"
#include "aekit/core/file_io.h"
#include "aekit/core/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <unordered_map>

namespace aekit::data {

namespace {

const std::vector<std::string>& special_tokens() {
  static const std::vector<std::string> tokens{"<pad>", "<bos>", "<eos>"};
  return tokens;
}

bool one_letter_atom(char c) {
  return std::string_view("BCNOPSFIbcnops*").find(c) != std::string_view::npos;
}

bool bond_or_branch(char c) {
  return std::string_view("-=#$:/\\().").find(c) != std::string_view::npos;
}

// The fields of one CSV line: commas outside double quotes separate them; "" inside quotes is a
// quote.
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c != '\r') {
      fields.back() += c;
    }
  }
  return fields;
}

std::string trim(const std::string& text) {
  const auto begin = text.find_first_not_of(" \t\r");
  if (begin == std::string::npos) return "";
  const auto end = text.find_last_not_of(" \t\r");
  return text.substr(begin, end - begin + 1);
}

}  // namespace

std::vector<std::string> tokenize_smiles(const std::string& smiles) {
  std::vector<std::string> tokens;
  size_t i = 0;
  while (i < smiles.size()) {
    const char c = smiles[i];
    if (c == '[') {
      const size_t close = smiles.find(']', i + 1);
      AEKIT_CHECK_INPUT(close != std::string::npos,
                        "SMILES '{}': expected ']' to close the bracket atom at position {}, found "
                        "the end",
                        smiles, i + 1);
      AEKIT_CHECK_INPUT(close > i + 1, "SMILES '{}': empty bracket atom at position {}", smiles,
                        i + 1);
      tokens.push_back(smiles.substr(i, close - i + 1));
      i = close + 1;
    } else if ((c == 'C' && i + 1 < smiles.size() && smiles[i + 1] == 'l') ||
               (c == 'B' && i + 1 < smiles.size() && smiles[i + 1] == 'r')) {
      tokens.push_back(smiles.substr(i, 2));
      i += 2;
    } else if (c == '%') {
      AEKIT_CHECK_INPUT(i + 2 < smiles.size() &&
                            std::isdigit(static_cast<unsigned char>(smiles[i + 1])) &&
                            std::isdigit(static_cast<unsigned char>(smiles[i + 2])),
                        "SMILES '{}': expected two digits after '%' at position {}", smiles, i + 1);
      tokens.push_back(smiles.substr(i, 3));
      i += 3;
    } else if (one_letter_atom(c) || bond_or_branch(c) ||
               std::isdigit(static_cast<unsigned char>(c))) {
      tokens.emplace_back(1, c);
      ++i;
    } else {
      fail_input("SMILES '{}': unexpected character '{}' at position {}", smiles, c, i + 1);
    }
  }
  return tokens;
}

std::vector<std::string> build_vocabulary(const std::vector<std::vector<std::string>>& sequences) {
  std::set<std::string> seen;
  for (const auto& sequence : sequences) seen.insert(sequence.begin(), sequence.end());
  std::vector<std::string> vocabulary = special_tokens();
  vocabulary.insert(vocabulary.end(), seen.begin(), seen.end());
  return vocabulary;
}

bool is_vocabulary(const std::vector<std::string>& vocabulary) {
  return vocabulary.size() > special_tokens().size() &&
         std::equal(special_tokens().begin(), special_tokens().end(), vocabulary.begin());
}

torch::Tensor encode_sequences(const std::vector<std::vector<std::string>>& sequences,
                               const std::vector<std::string>& vocabulary, int64_t length,
                               const std::string& what, const std::vector<std::string>& names) {
  std::unordered_map<std::string, int64_t> ids;
  for (size_t t = kSpecialTokens; t < vocabulary.size(); ++t)
    ids[vocabulary[t]] = static_cast<int64_t>(t);
  const auto n = static_cast<int64_t>(sequences.size());
  torch::Tensor out = torch::full({n, length}, static_cast<float>(kPadToken));
  auto rows = out.accessor<float, 2>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& sequence = sequences[i];
    const std::string where = i < static_cast<int64_t>(names.size()) ? names[i] : std::to_string(i);
    AEKIT_CHECK_INPUT(static_cast<int64_t>(sequence.size()) < length,
                      "{}: {}: expected at most {} tokens (the run's sequence length, less its end "
                      "token), found {}",
                      what, where, length - 1, sequence.size());
    for (size_t t = 0; t < sequence.size(); ++t) {
      const auto it = ids.find(sequence[t]);
      AEKIT_CHECK_INPUT(it != ids.end(),
                        "{}: {}: token '{}' is not in the vocabulary of {} tokens the model was "
                        "trained with",
                        what, where, sequence[t], vocabulary.size() - kSpecialTokens);
      rows[i][static_cast<int64_t>(t)] = static_cast<float>(it->second);
    }
    rows[i][static_cast<int64_t>(sequence.size())] = static_cast<float>(kEndToken);
  }
  return out;
}

std::string decode_sequence(const torch::Tensor& ids, const std::vector<std::string>& vocabulary) {
  const torch::Tensor row = ids.to(torch::kCPU, torch::kInt64).contiguous();
  const int64_t* values = row.data_ptr<int64_t>();
  std::string text;
  for (int64_t t = 0; t < row.numel(); ++t) {
    const int64_t id = values[t];
    if (id == kEndToken || id == kPadToken) break;
    if (id >= kSpecialTokens && id < static_cast<int64_t>(vocabulary.size()))
      text += vocabulary[id];
  }
  return text;
}

std::vector<std::string> decode_sequences(const torch::Tensor& ids,
                                          const std::vector<std::string>& vocabulary) {
  std::vector<std::string> texts;
  const torch::Tensor rows = ids.reshape({ids.size(0), -1});
  for (int64_t i = 0; i < rows.size(0); ++i) texts.push_back(decode_sequence(rows[i], vocabulary));
  return texts;
}

SmilesRecords read_smiles_records(const std::filesystem::path& path, const std::string& column) {
  std::ifstream in(path);
  AEKIT_CHECK_INPUT(in.good(), "{}: cannot open the SMILES file", path.string());
  SmilesRecords records;
  std::string line;
  int64_t number = 0;
  int64_t field = -1;  // the CSV column's index, once known
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (column.empty()) {
      const std::string text = trim(line);
      if (text.empty() || text[0] == '#') continue;
      const size_t space = text.find_first_of(" \t");
      std::string smiles = text.substr(0, space);
      if (records.smiles.empty() && number == 1 && to_lower(smiles) == "smiles") continue;
      records.smiles.push_back(std::move(smiles));
      records.names.push_back(space == std::string::npos ? "" : trim(text.substr(space)));
      records.lines.push_back(number);
      continue;
    }
    if (trim(line).empty()) continue;
    const std::vector<std::string> fields = csv_fields(line);
    if (field < 0) {
      // The header names the column; an index names it without one.
      const bool numeric = !column.empty() && std::all_of(column.begin(), column.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) != 0;
      });
      if (numeric) {
        field = std::stoll(column);
        AEKIT_CHECK_INPUT(field < static_cast<int64_t>(fields.size()),
                          "{}: line {}: config key 'data.smiles_column': expected a column index "
                          "below {}, found {}",
                          path.string(), number, fields.size(), column);
      } else {
        for (size_t f = 0; f < fields.size(); ++f) {
          if (to_lower(trim(fields[f])) == to_lower(column)) field = static_cast<int64_t>(f);
        }
        AEKIT_CHECK_INPUT(field >= 0,
                          "{}: line {}: config key 'data.smiles_column': expected a header with a "
                          "column '{}', found {}",
                          path.string(), number, column, line);
        continue;
      }
    }
    AEKIT_CHECK_INPUT(field < static_cast<int64_t>(fields.size()),
                      "{}: line {}: expected at least {} fields, found {}", path.string(), number,
                      field + 1, fields.size());
    std::string name;
    for (size_t f = 0; f < fields.size(); ++f) {
      if (static_cast<int64_t>(f) != field && name.empty()) name = trim(fields[f]);
    }
    records.smiles.push_back(trim(fields[field]));
    records.names.push_back(name);
    records.lines.push_back(number);
  }
  AEKIT_CHECK_INPUT(!in.bad(), "{}: read error", path.string());
  for (size_t i = 0; i < records.smiles.size(); ++i) {
    AEKIT_CHECK_INPUT(!records.smiles[i].empty(),
                      "{}: line {}: expected a SMILES, found an empty field", path.string(),
                      records.lines[i]);
  }
  AEKIT_CHECK_INPUT(!records.smiles.empty(), "{}: expected SMILES, found none", path.string());
  return records;
}

void write_smiles(const std::filesystem::path& path, const std::vector<std::string>& smiles,
                  const std::vector<std::pair<std::string, std::vector<double>>>& columns) {
  const std::string extension = to_lower(path.extension().string());
  AEKIT_CHECK_INPUT(extension == ".smi" || extension == ".csv",
                    "{}: expected a .smi or .csv file name for SMILES, found '{}'", path.string(),
                    extension);
  std::ostringstream out;
  if (extension == ".smi") {
    for (const std::string& s : smiles) out << s << '\n';
  } else {
    out << "smiles";
    for (const auto& [name, values] : columns) out << ',' << name;
    out << '\n';
    for (size_t i = 0; i < smiles.size(); ++i) {
      out << '"' << smiles[i] << '"';
      for (const auto& [name, values] : columns) {
        out << ','
            << (i < values.size() && std::isfinite(values[i]) ? fmt::format("{:.6g}", values[i])
                                                              : "");
      }
      out << '\n';
    }
  }
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  write_file_atomic(path, out.str());
}

}  // namespace aekit::data
