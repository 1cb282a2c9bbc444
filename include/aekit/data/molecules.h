#pragma once
/// Molecules as data: SMILES checked and canonicalised by RDKit (chem/molecules.h), tokenised
/// (data/smiles.h) into rows of token ids. The built-in `molecules` set and a user's `.smi` files
/// and CSV tables with a SMILES column (data.smiles_column) come through here.
///
/// A SMILES RDKit cannot parse, or one of more than data.max_tokens tokens, is an InputError naming
/// the file, line and SMILES, or, with data.invalid "skip", left out and counted.

#include "aekit/data/dataset.h"
#include "aekit/data/smiles.h"

#include <filesystem>
#include <string>
#include <vector>

namespace aekit::data {

/// Where the built-in set's two files lie (Debian's rdkit-data).
std::filesystem::path rdkit_data_dir();

/// SMILES that passed the checks, canonical, with their tokens and where each came from.
struct CheckedMolecules {
  std::vector<std::string> smiles;
  std::vector<std::vector<std::string>> tokens;
  std::vector<std::string> where;  ///< "file: line n"
  int64_t unparsable = 0;          ///< left out under data.invalid "skip"
  int64_t too_long = 0;            ///< left out under data.invalid "skip"
};

/// Canonicalises and tokenises `records` read from `path`; `skip` leaves bad ones out instead of
/// throwing.
CheckedMolecules check_molecules(const SmilesRecords& records, const std::filesystem::path& path,
                                 int64_t max_tokens, bool skip);

/// Token ids of checked molecules, N x length: with `known`'s vocabulary and length when it has
/// one (a trained run's), else with a vocabulary and length built from these molecules, which
/// `table` receives.
torch::Tensor molecule_features(const CheckedMolecules& molecules, const TableSchema* known,
                                TableSchema& table, const std::string& what);

/// data.format "smi" (and "csv" with data.smiles_column): a user's molecules as token ids.
torch::Tensor read_molecule_file(const std::filesystem::path& path, const DataOptions& options,
                                 FileInfo& info);

/// data.dataset "molecules": Debian's rdkit-data NCI first_5K.smi and PAINS wehi_mols.csv,
/// canonicalised, de-duplicated, split 90/10 in a fixed seeded order (the same for every run).
DataSplits load_molecules(const DataOptions& options);

/// The SMILES of token rows (N x length ids), decoded with `table`'s vocabulary.
std::vector<std::string> molecule_smiles(const torch::Tensor& ids, const TableSchema& table);

/// train.randomize_smiles: each molecule of N x length ids, with probability `probability`, written
/// as a random SMILES of itself (chem::random_smiles; a generator seeded by `seed` draws which
/// rows and each row's atom order) when that SMILES's tokens are all in `table`'s vocabulary and
/// fit the length; else the row is kept. `changed` (if given) receives how many rows were
/// rewritten.
torch::Tensor randomized_molecules(const torch::Tensor& ids, const TableSchema& table,
                                   double probability, uint64_t seed, int64_t* changed = nullptr);

/// The property `name` ("logp", "tpsa", "molwt": chem::parse_property) of each molecule of N x
/// length ids, computed by RDKit: N float32 values, NaN where RDKit cannot read one. An unknown
/// name is an InputError naming `context` (a config key).
torch::Tensor molecule_properties(const torch::Tensor& ids, const TableSchema& table,
                                  const std::string& name, const std::string& context);

}  // namespace aekit::data
