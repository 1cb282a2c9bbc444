#include "aekit/data/molecules.h"

#include "aekit/chem/molecules.h"
#include "aekit/core/error.h"

#include <ATen/CPUGeneratorImpl.h>
#include <spdlog/spdlog.h>

#include <optional>
#include <random>
#include <unordered_map>
#include <unordered_set>

namespace aekit::data {

std::filesystem::path rdkit_data_dir() {
  const char* custom = std::getenv("AEKIT_RDKIT_DATA");
  return custom != nullptr && *custom != '\0' ? std::filesystem::path(custom)
                                              : std::filesystem::path("/usr/share/RDKit/Data");
}

CheckedMolecules check_molecules(const SmilesRecords& records, const std::filesystem::path& path,
                                 int64_t max_tokens, bool skip) {
  CheckedMolecules out;
  for (size_t i = 0; i < records.smiles.size(); ++i) {
    const std::string where = fmt::format("{}: line {}", path.string(), records.lines[i]);
    const std::optional<std::string> canonical =
        chem::canonical_smiles(records.smiles[i], /*kekule=*/true);
    if (!canonical) {
      AEKIT_CHECK_INPUT(skip,
                        "{}: RDKit cannot read SMILES '{}' as a molecule (data.invalid \"skip\" "
                        "leaves such lines out)",
                        where, records.smiles[i]);
      ++out.unparsable;
      continue;
    }
    std::vector<std::string> tokens = tokenize_smiles(*canonical);
    if (static_cast<int64_t>(tokens.size()) > max_tokens) {
      AEKIT_CHECK_INPUT(skip,
                        "{}: expected at most {} tokens (data.max_tokens), found {} in '{}' "
                        "(data.invalid \"skip\" leaves such lines out)",
                        where, max_tokens, tokens.size(), *canonical);
      ++out.too_long;
      continue;
    }
    out.smiles.push_back(*canonical);
    out.tokens.push_back(std::move(tokens));
    out.where.push_back(where);
  }
  return out;
}

torch::Tensor molecule_features(const CheckedMolecules& molecules, const TableSchema* known,
                                TableSchema& table, const std::string& what) {
  AEKIT_CHECK_INPUT(!molecules.smiles.empty(), "{}: no molecule left to read", what);
  if (known != nullptr && !known->vocabulary.empty()) {
    table.vocabulary = known->vocabulary;
    table.sequence_length = known->sequence_length;
  } else {
    table.vocabulary = build_vocabulary(molecules.tokens);
    size_t longest = 0;
    for (const auto& tokens : molecules.tokens) longest = std::max(longest, tokens.size());
    table.sequence_length = static_cast<int64_t>(longest) + 1;
  }
  std::vector<std::string> names;
  for (const std::string& where : molecules.where)
    names.push_back(where.substr(where.rfind(": ") + 2));
  return encode_sequences(molecules.tokens, table.vocabulary, table.sequence_length, what, names);
}

torch::Tensor read_molecule_file(const std::filesystem::path& path, const DataOptions& options,
                                 FileInfo& info) {
  const SmilesRecords records = read_smiles_records(path, options.smiles_column);
  const CheckedMolecules molecules =
      check_molecules(records, path, options.max_tokens, options.invalid == "skip");
  if (molecules.unparsable + molecules.too_long > 0) {
    spdlog::warn(
        "{}: left out {} SMILES RDKit cannot read and {} of more than {} tokens "
        "(data.invalid \"skip\")",
        path.string(), molecules.unparsable, molecules.too_long, options.max_tokens);
  }
  return molecule_features(molecules, info.known, info.table, path.string());
}

DataSplits load_molecules(const DataOptions& options) {
  const std::filesystem::path dir = rdkit_data_dir();
  const std::filesystem::path nci = dir / "NCI" / "first_5K.smi";
  const std::filesystem::path wehi = dir / "Pains" / "test_data" / "wehi_mols.csv";
  for (const auto& path : {nci, wehi}) {
    AEKIT_CHECK_INPUT(std::filesystem::exists(path),
                      "data.dataset 'molecules': {} not found; install Debian's rdkit-data "
                      "(scripts/setup.sh does)",
                      path.string());
  }
  // Both files are fixed data: what RDKit cannot read, or what is too long, is left out and
  // counted.
  CheckedMolecules all;
  int64_t duplicates = 0;
  std::unordered_set<std::string> seen;
  for (const CheckedMolecules& file :
       {check_molecules(read_smiles_records(nci), nci, options.max_tokens, true),
        check_molecules(read_smiles_records(wehi, "0"), wehi, options.max_tokens, true)}) {
    all.unparsable += file.unparsable;
    all.too_long += file.too_long;
    for (size_t i = 0; i < file.smiles.size(); ++i) {
      if (!seen.insert(file.smiles[i]).second) {  // each molecule once, from its first line
        ++duplicates;
        continue;
      }
      all.smiles.push_back(file.smiles[i]);
      all.tokens.push_back(file.tokens[i]);
      all.where.push_back(file.where[i]);
    }
  }
  spdlog::info(
      "molecules: {} distinct molecules ({} duplicates, {} SMILES RDKit cannot read and {} "
      "of more than {} tokens left out)",
      all.smiles.size(), duplicates, all.unparsable, all.too_long, options.max_tokens);
  DataSplits splits;
  splits.name = "molecules";
  const torch::Tensor features =
      molecule_features(all, nullptr, splits.preprocessing.table, "molecules");
  // One fixed order for every run, so that every run's test molecules are the same.
  auto generator = at::detail::createCPUGenerator(20180);
  const int64_t n = features.size(0);
  const torch::Tensor order = torch::randperm(n, generator, torch::kInt64);
  const int64_t n_test = n / 10;
  splits.test.features = features.index_select(0, order.slice(0, 0, n_test));
  splits.train.features = features.index_select(0, order.slice(0, n_test, n));
  return splits;
}

std::vector<std::string> molecule_smiles(const torch::Tensor& ids, const TableSchema& table) {
  return decode_sequences(ids, table.vocabulary);
}

torch::Tensor randomized_molecules(const torch::Tensor& ids, const TableSchema& table,
                                   double probability, uint64_t seed, int64_t* changed) {
  torch::Tensor out = ids.to(torch::kCPU, torch::kFloat32).contiguous().clone();
  const int64_t length = ids.size(1);
  std::unordered_map<std::string, float> known;
  for (size_t t = kSpecialTokens; t < table.vocabulary.size(); ++t) {
    known[table.vocabulary[t]] = static_cast<float>(t);
  }
  const std::vector<std::string> smiles = molecule_smiles(ids, table);
  std::mt19937_64 generator(seed);
  std::bernoulli_distribution pick(probability);
  auto rows = out.accessor<float, 2>();
  int64_t rewritten = 0;
  for (size_t i = 0; i < smiles.size(); ++i) {
    const bool chosen = pick(generator);
    const uint64_t row_seed = generator();
    if (!chosen) continue;
    const std::optional<std::string> other = chem::random_smiles(smiles[i], row_seed);
    if (!other || *other == smiles[i]) continue;
    std::vector<std::string> tokens;
    try {
      tokens = tokenize_smiles(*other);
    } catch (const InputError&) {
      continue;
    }
    if (static_cast<int64_t>(tokens.size()) >= length) continue;
    std::vector<float> row;
    for (const std::string& token : tokens) {
      const auto it = known.find(token);
      if (it == known.end()) break;
      row.push_back(it->second);
    }
    if (row.size() != tokens.size()) continue;
    for (int64_t t = 0; t < length; ++t) {
      const auto at = static_cast<size_t>(t);
      rows[static_cast<int64_t>(i)][t] =
          at < row.size() ? row[at]
                          : static_cast<float>(at == row.size() ? kEndToken : kPadToken);
    }
    ++rewritten;
  }
  if (changed != nullptr) *changed = rewritten;
  return out;
}

torch::Tensor molecule_properties(const torch::Tensor& ids, const TableSchema& table,
                                  const std::string& name, const std::string& context) {
  const chem::Property property = chem::parse_property(name, context);
  const std::vector<double> values = chem::properties(molecule_smiles(ids, table), property);
  return torch::tensor(values, torch::kFloat64).to(torch::kFloat32);
}

}  // namespace aekit::data
