#pragma once
/// Constrained decoding of SMILES (models/token_grammar.h): the tokens allowed next are those that
/// keep the string a SMILES RDKit can read, as far as text alone tells. Tracked while decoding:
///   - branches: ')' only inside an open '(' that holds something; the end only outside every one;
///   - ring closures: a label closes the ring it opened, never on the opening atom or an atom it is
///     already bonded to; the end only when every ring is closed;
///   - valence: every atom's bonds (to the atom before it, branches, ring closures, with their
///     orders) stay within what its element and charge allow (C 4, N 3, [N+] 4, O 2, [O-] 1, ...),
///     the rest being hydrogens;
///   - length: from each point there are enough positions left to close the open rings and
///     branches and end.
/// Aromatic atoms (lower-case) are never allowed: their valence depends on the whole ring, which
/// the text does not give until the ring is done. aekit's molecule data is written in Kekulé form
/// (chem/molecules.h), which needs none.

#include "aekit/models/token_grammar.h"

#include <memory>
#include <string>
#include <vector>

namespace aekit::chem {

/// Bonds an atom token may take in all (its valence, less explicit hydrogens), or -1 when the
/// grammar does not allow the token as an atom (aromatic atoms). "C" 4, "N" 3, "O" 2, "Cl" 1,
/// "[NH+]" 3, "[O-]" 1, "[C@@H]" 3.
int atom_capacity(const std::string& token);

/// The grammar of SMILES over `vocabulary` (data/smiles.h: special tokens first).
std::shared_ptr<models::TokenGrammar> smiles_grammar(const std::vector<std::string>& vocabulary);

}  // namespace aekit::chem
