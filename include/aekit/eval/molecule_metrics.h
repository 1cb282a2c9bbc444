#pragma once
/// How a model of molecules (a token-sequence family: seq_vae) is measured, with RDKit
/// (chem/molecules.h), as the MOSES and GuacaMol benchmarks measure generators:
///   validity, uniqueness, novelty, internal diversity of molecules decoded from prior samples;
///   reconstruction: the share of test molecules that greedy decoding of their posterior mean
///   gives back (the same canonical SMILES);
///   property prediction: R^2 on the test split of a ridge regression from the codes to RDKit's
///   logP, fitted on the training split's codes.

#include "aekit/core/config.h"
#include "aekit/data/dataset.h"
#include "aekit/models/autoencoder.h"

#include <torch/types.h>

namespace aekit::eval {

/// Whether `model` reads token sequences whose vocabulary `splits` holds (molecules).
bool is_molecule_model(const models::AutoencoderImpl& model, const data::DataSplits& splits);

/// How well `model` gives back `molecules` (token rows read with `table`'s vocabulary):
/// {"reconstruction" (the share that greedy decoding of the posterior mean, within the grammar,
/// gives back as the same canonical SMILES), "reconstruction_examples", "token_accuracy"
/// (teacher-forced, end tokens included)}; with beam_width > 1 "reconstruction_beam" (decoded by
/// beam search of that width) and "beam_width"; a model with a target head (model.property) adds
/// "property" (its name) and "property_r2" (R^2 of the head's prediction from the codes).
Json molecule_reconstruction_json(models::AutoencoderImpl& model, const data::Dataset& molecules,
                                  const data::TableSchema& table, const torch::Device& device,
                                  int64_t beam_width = 1);

/// The measures, each with its count: {"validity", "uniqueness", "novelty",
/// "internal_diversity", "samples", "valid", "unique", "novel", "validity_unconstrained",
/// "uniqueness_unconstrained" (the same codes decoded without the grammar), "logp_r2", "generated":
/// [first 48 generated SMILES]} and molecule_reconstruction_json's measures of the test split.
/// `samples` codes are drawn from N(0, I) with a generator seeded by `seed`; `examples` test
/// molecules (0: all) are reconstructed.
Json molecule_metrics_json(models::AutoencoderImpl& model, const data::DataSplits& splits,
                           int64_t samples, int64_t examples, uint64_t seed,
                           const torch::Device& device, int64_t beam_width = 1);

/// R^2 of a ridge regression (penalty `ridge` on the weights, not the bias) fitted on
/// (train_x, train_y) and scored on (test_x, test_y); rows with a NaN target are left out.
double ridge_r2(const torch::Tensor& train_x, const torch::Tensor& train_y,
                const torch::Tensor& test_x, const torch::Tensor& test_y, double ridge = 1e-3);

}  // namespace aekit::eval
