#pragma once
/// SMILES strings as token sequences: the tokeniser, the vocabulary a run keeps in its checkpoint
/// (TableSchema::vocabulary), and the readers of `.smi` files and CSV tables with a SMILES column.
/// Checking a SMILES against chemistry (RDKit) is chem/molecules.h's work; this file only reads
/// text.
///
/// A tokenised sample is a row of `length` token ids (float32, whole numbers): the SMILES's tokens,
/// then kEndToken, then kPadToken up to the length. The vocabulary's first entries are the special
/// tokens, then the SMILES tokens of the training data, sorted.
///
/// Example:
///   tokenize_smiles("C[C@H](Cl)c1ccccc1%10");
///   // {"C", "[C@H]", "(", "Cl", ")", "c", "1", "c", "c", "c", "c", "c", "1", "%10"}

#include "aekit/data/table_schema.h"

#include <torch/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace aekit::data {

/// Token ids of the special tokens, the first entries of every vocabulary.
constexpr int64_t kPadToken = 0;    ///< "<pad>": after the end; ignored by the loss
constexpr int64_t kStartToken = 1;  ///< "<bos>": the decoder's first input
constexpr int64_t kEndToken = 2;    ///< "<eos>": ends a sequence
constexpr int64_t kSpecialTokens = 3;

/// The tokens of a SMILES: bracket atoms ("[nH+]", "[13C@@H]") whole, two-letter elements of the
/// organic subset (Cl, Br), one-letter atoms (B C N O P S F I, aromatic b c n o p s, *), bonds
/// (- = # $ : / \), branches, '.', ring closures (a digit, or '%' and two digits). Throws
/// InputError for any other character, an unterminated bracket or a '%' without two digits,
/// giving the character's position.
std::vector<std::string> tokenize_smiles(const std::string& smiles);

/// The vocabulary of tokenised sequences: the special tokens, then every token seen, sorted.
std::vector<std::string> build_vocabulary(const std::vector<std::vector<std::string>>& sequences);

/// Whether a vocabulary begins with the special tokens (what a checkpoint's must).
bool is_vocabulary(const std::vector<std::string>& vocabulary);

/// Token sequences as N x `length` ids (float32): tokens, kEndToken, padding. Throws InputError
/// naming `what` and record `names[i]` (a line) for a token outside `vocabulary` or a sequence of
/// more than length - 1 tokens.
torch::Tensor encode_sequences(const std::vector<std::vector<std::string>>& sequences,
                               const std::vector<std::string>& vocabulary, int64_t length,
                               const std::string& what, const std::vector<std::string>& names);

/// The text of one row of token ids (any float or integer dtype): the tokens before the first end
/// or padding token, joined. Ids outside the vocabulary and special tokens read as nothing.
std::string decode_sequence(const torch::Tensor& ids, const std::vector<std::string>& vocabulary);

/// The text of each row of N x length ids.
std::vector<std::string> decode_sequences(const torch::Tensor& ids,
                                          const std::vector<std::string>& vocabulary);

/// SMILES read from a file, each with where it came from.
struct SmilesRecords {
  std::vector<std::string> smiles;
  std::vector<std::string> names;  ///< the .smi name column or CSV row's other text; may be ""
  std::vector<int64_t> lines;      ///< 1-based line of each record
};

/// Reads a `.smi` file (one SMILES per line, then optional whitespace and a name; blank lines and
/// lines starting with '#' skipped; a first line whose SMILES field reads "smiles" is a header) or,
/// when `column` is not empty, a CSV file's column `column` (a header name, case-insensitive, or a
/// 0-based index; fields may be double-quoted). Throws InputError naming the file and line for an
/// unreadable file, a missing column or an empty SMILES field.
SmilesRecords read_smiles_records(const std::filesystem::path& path,
                                  const std::string& column = "");

/// Writes SMILES, one per line, to a `.smi` file, or to a `.csv` file with a "smiles" column and
/// the given extra columns (name -> one value per SMILES). Atomic.
void write_smiles(const std::filesystem::path& path, const std::vector<std::string>& smiles,
                  const std::vector<std::pair<std::string, std::vector<double>>>& columns = {});

}  // namespace aekit::data
