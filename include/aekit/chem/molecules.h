#pragma once
/// Molecules through RDKit's C++ library (Debian's librdkit-dev): parsing and canonical SMILES,
/// descriptors, Morgan fingerprints, drawings, and the measures generative models of molecules are
/// compared by (the MOSES and GuacaMol conventions). aekit built without RDKit
/// (AEKIT_WITH_RDKIT off) keeps these functions; each then throws InputError saying what to
/// install.

#include <optional>
#include <string>
#include <vector>

namespace aekit::chem {

/// Whether this build has RDKit.
bool available();

/// RDKit's canonical SMILES of `smiles` (stereo kept), or nothing when RDKit cannot parse or
/// sanitise it. `kekule`: aromatic rings written with alternating single and double bonds
/// ("C1=CC=CC=C1", what aekit's molecule data holds: every atom's valence is then in the text,
/// which constrained decoding needs), else in aromatic form ("c1ccccc1", how measures compare).
std::optional<std::string> canonical_smiles(const std::string& smiles, bool kekule = false);

/// Another SMILES of the same molecule: RDKit writes it from an order of its atoms shuffled by a
/// generator seeded with `seed` (the same seed, the same text), not canonicalised; Kekule form as
/// canonical_smiles. Nothing when RDKit cannot read `smiles`. Randomised SMILES are the usual
/// augmentation of chemical language models (Bjerrum 2017; Arus-Pous et al. 2019).
std::optional<std::string> random_smiles(const std::string& smiles, uint64_t seed,
                                         bool kekule = true);

/// A molecular property RDKit computes from the structure.
enum class Property {
  kLogP,   ///< Wildman-Crippen logP
  kTpsa,   ///< topological polar surface area
  kMolWt,  ///< molecular weight
};

/// "logp", "tpsa" or "molwt" (case-insensitive); throws InputError naming `context`.
Property parse_property(const std::string& name, const std::string& context);
std::string property_name(Property property);
/// The names parse_property takes.
const std::vector<std::string>& property_names();

/// The property of each SMILES (NaN where RDKit cannot parse it).
std::vector<double> properties(const std::vector<std::string>& smiles, Property property);

/// Measures of generated molecules, each in [0, 1] (NaN where undefined: no valid molecule).
struct GenerationMetrics {
  int64_t generated = 0;
  int64_t valid = 0;
  int64_t unique = 0;     ///< distinct canonical SMILES among the valid
  int64_t novel = 0;      ///< of the unique, those not in the reference set
  double validity = 0;    ///< valid / generated
  double uniqueness = 0;  ///< unique / valid
  double novelty = 0;     ///< novel / unique
  /// 1 - the mean Tanimoto similarity of Morgan fingerprints (radius 2, 2048 bits) over all pairs
  /// of distinct unique valid molecules (MOSES's IntDiv1).
  double internal_diversity = 0;
};

/// The measures of `generated` SMILES against `reference` canonical SMILES (the training set).
GenerationMetrics generation_metrics(const std::vector<std::string>& generated,
                                     const std::vector<std::string>& reference);

/// The fraction of pairs (decoded[i], target[i]) that are the same molecule: both parse and their
/// canonical SMILES are equal.
double same_molecule_fraction(const std::vector<std::string>& decoded,
                              const std::vector<std::string>& target);

/// An SVG grid of molecules drawn by RDKit's MolDraw2DSVG, `columns` per row, each `cell` pixels
/// square with its SMILES below as a legend; an invalid SMILES leaves its cell empty but for the
/// legend.
std::string molecule_grid_svg(const std::vector<std::string>& smiles, int columns, int cell);

}  // namespace aekit::chem
