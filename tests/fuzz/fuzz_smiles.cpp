// SMILES files (.smi, and a CSV's SMILES column), their tokens, their ids in a vocabulary built
// from them, and the SMILES grammar fed those tokens: text only, no chemistry (RDKit's parser is
// RDKit's).
#include "aekit/chem/smiles_grammar.h"
#include "aekit/data/smiles.h"

#include "fuzz_support.h"

namespace {

void tokens_and_grammar(const std::vector<std::string>& smiles) {
  std::vector<std::vector<std::string>> sequences;
  for (const std::string& s : smiles) {
    aekit::fuzz::expect_input_errors_only(
        [&] { sequences.push_back(aekit::data::tokenize_smiles(s)); });
  }
  if (sequences.empty()) return;
  const std::vector<std::string> vocabulary = aekit::data::build_vocabulary(sequences);
  size_t longest = 0;
  for (const auto& s : sequences) longest = std::max(longest, s.size());
  const auto length = static_cast<int64_t>(longest) + 1;
  const torch::Tensor ids =
      aekit::data::encode_sequences(sequences, vocabulary, length, "fuzz", {});
  const auto grammar = aekit::chem::smiles_grammar(vocabulary);
  std::vector<char> allowed;
  for (int64_t i = 0; i < ids.size(0); ++i) {
    auto parse = grammar->start();
    for (int64_t t = 0; t < length; ++t) {
      parse->allowed(length - t, allowed);
      bool any = false;
      for (const char a : allowed) any = any || a != 0;
      if (!any || allowed.size() != vocabulary.size()) __builtin_trap();  // never leaves none
      parse->push(static_cast<int64_t>(ids[i][t].item<float>()));
    }
    if (aekit::data::decode_sequence(ids[i], vocabulary).empty() != sequences[i].empty()) {
      __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto smi = aekit::fuzz::write_input("input.smi", data, size);
  aekit::fuzz::expect_input_errors_only(
      [&] { tokens_and_grammar(aekit::data::read_smiles_records(smi).smiles); });
  const auto csv = aekit::fuzz::write_input("input.csv", data, size);
  aekit::fuzz::expect_input_errors_only(
      [&] { tokens_and_grammar(aekit::data::read_smiles_records(csv, "smiles").smiles); });
  aekit::fuzz::expect_input_errors_only(
      [&] { tokens_and_grammar(aekit::data::read_smiles_records(csv, "1").smiles); });
  return 0;
}
