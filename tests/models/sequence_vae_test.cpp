#include "aekit/models/sequence_vae.h"

#include "aekit/chem/molecules.h"
#include "aekit/core/error.h"
#include "aekit/chem/smiles_grammar.h"
#include "aekit/data/molecules.h"
#include "aekit/data/smiles.h"
#include "aekit/losses/reconstruction.h"

#include <gtest/gtest.h>
#include <torch/nn/functional/activation.h>
#include <torch/optim/adam.h>

namespace data = aekit::data;
namespace models = aekit::models;

namespace {

const std::filesystem::path kMolecules =
    std::filesystem::path(AEKIT_SOURCE_DIR) / "tests" / "chem" / "molecules.smi";

models::SequenceVae small_model(int64_t length, int64_t vocabulary, int64_t warmup = 0) {
  return models::SequenceVae(models::SequenceVaeOptions({length}, vocabulary, 8)
                                 .embedding(16)
                                 .encoder_hidden(32)
                                 .decoder_hidden(64)
                                 .word_dropout(0.0)
                                 .kl_warmup_steps(warmup));
}

/// The test molecules as token ids; `info` gets their vocabulary.
torch::Tensor read_test_molecules(data::FileInfo& info) {
  return data::read_molecule_file(kMolecules, data::DataOptions{}, info);
}

/// Rows of random tokens 3..V-1 ended at `end`, padded after.
torch::Tensor random_tokens(int64_t n, int64_t length, int64_t vocabulary, int64_t end) {
  torch::Tensor ids = torch::randint(3, vocabulary, {n, length}).to(torch::kFloat32);
  ids.slice(1, end, end + 1).fill_(static_cast<float>(data::kEndToken));
  ids.slice(1, end + 1).fill_(static_cast<float>(data::kPadToken));
  return ids;
}

}  // namespace

TEST(CategoricalLikelihood, ScoresTheTokensUpToTheEndAndNotThePadding) {
  torch::manual_seed(1);
  const torch::Tensor ids = random_tokens(3, 6, 7, 3);
  const torch::Tensor logits = torch::randn({3, 6, 7});
  const torch::Tensor loss = aekit::losses::reconstruction_loss_per_example(
      aekit::losses::Likelihood::kCategorical, logits, ids);
  const torch::Tensor log_p = torch::log_softmax(logits, 2);
  for (int64_t i = 0; i < 3; ++i) {
    double expected = 0;
    for (int64_t t = 0; t <= 3; ++t) {
      expected -= log_p[i][t][static_cast<int64_t>(ids[i][t].item<float>())].item<double>();
    }
    EXPECT_NEAR(loss[i].item<double>(), expected, 1e-5);
  }
  // Logits at the padded positions change nothing.
  torch::Tensor other = logits.clone();
  other.slice(1, 4).normal_();
  EXPECT_TRUE(aekit::losses::reconstruction_loss_per_example(
                  aekit::losses::Likelihood::kCategorical, other, ids)
                  .equal(loss));
  EXPECT_TRUE(aekit::losses::to_data_space(aekit::losses::Likelihood::kCategorical, logits)
                  .equal(logits.argmax(2).to(torch::kFloat32)));
}

TEST(SequenceVae, ShapesAndGreedyDecodingEndsEveryRow) {
  torch::manual_seed(2);
  auto model = small_model(10, 9);
  const torch::Tensor x = random_tokens(4, 10, 9, 6);
  const models::ModelOutput out = model->forward(x);
  EXPECT_EQ(out.output.sizes(), (std::vector<int64_t>{4, 10, 9}));
  EXPECT_EQ(out.mean.sizes(), (std::vector<int64_t>{4, 8}));
  const torch::Tensor decoded = model->decode(torch::randn({5, 8}));
  ASSERT_EQ(decoded.sizes(), (std::vector<int64_t>{5, 10}));
  for (int64_t i = 0; i < 5; ++i) {
    const torch::Tensor row = decoded[i];
    const int64_t end =
        (row == static_cast<float>(data::kEndToken)).nonzero()[0][0].item<int64_t>();
    EXPECT_TRUE((row.slice(0, 0, end) >= 3).all().item<bool>());
    EXPECT_TRUE((row.slice(0, end + 1) == 0).all().item<bool>());
  }
  EXPECT_THROW(model->decode_output(torch::randn({1, 8})), aekit::InputError);
}

TEST(SequenceVae, ForwardToEncodesTheInputAndScoresTheTarget) {
  torch::manual_seed(12);
  auto model = small_model(10, 9);
  model->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor input = random_tokens(4, 10, 9, 6);
  const torch::Tensor target = random_tokens(4, 10, 9, 4);
  torch::manual_seed(13);
  const models::ModelOutput out = model->forward_to(input, target);
  torch::manual_seed(13);
  const models::ModelOutput same = model->forward(input);
  // The code is the input's; z is the same draw.
  EXPECT_TRUE(torch::allclose(out.mean, model->posterior(input).mean));
  ASSERT_TRUE(out.z.equal(same.z));
  // The logits are the decoder's teacher-forced on the target: their loss of the target is the
  // target's likelihood under that code, and the input's is not.
  const auto per_example = [](const torch::Tensor& logits, const torch::Tensor& tokens) {
    return aekit::losses::reconstruction_loss_per_example(aekit::losses::Likelihood::kCategorical,
                                                          logits, tokens);
  };
  EXPECT_TRUE(torch::allclose(per_example(out.output, target),
                              -model->token_log_likelihood(target, out.z), 1e-4, 1e-4));
  EXPECT_TRUE(torch::allclose(per_example(same.output, input),
                              -model->token_log_likelihood(input, out.z), 1e-4, 1e-4));
  EXPECT_FALSE(torch::allclose(per_example(out.output, input),
                               -model->token_log_likelihood(input, out.z), 1e-2, 1e-2));
  EXPECT_THROW(model->forward_to(input, target.narrow(0, 0, 3)), aekit::InputError);
}

TEST(SequenceVae, KlWeightRisesOverTheWarmupAndEvaluationUsesBeta) {
  torch::manual_seed(3);
  auto model = small_model(8, 9, /*warmup=*/4);
  const torch::Tensor x = random_tokens(2, 8, 9, 5);
  model->train();
  EXPECT_DOUBLE_EQ(model->kl_weight(), 0.0);
  auto terms = model->loss(x, model->forward(x));
  EXPECT_NEAR(terms.total.item<double>(),
              terms.reconstruction.item<double>() + 0.25 * terms.kl.item<double>(), 1e-4);
  for (int i = 0; i < 5; ++i) model->forward(x);
  EXPECT_DOUBLE_EQ(model->kl_weight(), 1.0);
  // The count is a buffer, saved and resumed with the weights.
  EXPECT_EQ(model->named_buffers()["kl_steps"].item<int64_t>(), 6);
  model->eval();
  torch::NoGradGuard no_grad;
  terms = model->loss(x, model->forward(x));
  EXPECT_NEAR(terms.total.item<double>(),
              terms.reconstruction.item<double>() + terms.kl.item<double>(), 1e-4);
}

TEST(SequenceVae, LearnsToReconstructTheTestMolecules) {
  if (!aekit::chem::available()) GTEST_SKIP() << "built without RDKit (librdkit-dev)";
  torch::manual_seed(4);
  data::FileInfo info;
  const torch::Tensor x = read_test_molecules(info);
  const auto vocabulary = static_cast<int64_t>(info.table.vocabulary.size());
  auto model = small_model(x.size(1), vocabulary, /*warmup=*/200);
  model->set_grammar(aekit::chem::smiles_grammar(info.table.vocabulary));
  const std::vector<std::string> targets = data::molecule_smiles(x, info.table);
  const auto reconstructed = [&] {
    torch::NoGradGuard no_grad;
    model->eval();
    const auto decoded = data::molecule_smiles(model->decode(model->encode(x)), info.table);
    model->train();
    return aekit::chem::same_molecule_fraction(decoded, targets);
  };
  const double before = reconstructed();
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  double first_loss = 0;
  double last_loss = 0;
  for (int step = 0; step < 250; ++step) {
    optimizer.zero_grad();
    const auto terms = model->loss(x, model->forward(x));
    terms.total.backward();
    optimizer.step();
    if (step == 0) first_loss = terms.reconstruction.item<double>();
    last_loss = terms.reconstruction.item<double>();
  }
  const double after = reconstructed();
  EXPECT_EQ(before, 0.0);
  EXPECT_LT(last_loss, first_loss / 4);
  EXPECT_GE(after, 0.3) << "reconstruction loss " << first_loss << " -> " << last_loss;
}

TEST(SequenceVae, PropertyHeadAddsItsWeightedErrorInTrainingOnly) {
  torch::manual_seed(5);
  auto model = models::SequenceVae(models::SequenceVaeOptions({8}, 9, 4)
                                       .embedding(8)
                                       .encoder_hidden(8)
                                       .decoder_hidden(8)
                                       .kl_warmup_steps(0)
                                       .property("logp")
                                       .property_weight(3.0));
  EXPECT_EQ(model->target_name(), "logp");
  const torch::Tensor x = random_tokens(5, 8, 9, 4);
  const torch::Tensor targets = torch::tensor({1.0F, 2.0F, 4.0F, -1.0F, 0.5F});
  model->fit_targets(targets);
  const double mean = 1.3;
  const double deviation = targets.to(torch::kFloat64).std().item<double>();
  EXPECT_NEAR(model->named_buffers()["property_mean"].item<double>(), mean, 1e-6);
  EXPECT_NEAR(model->named_buffers()["property_scale"].item<double>(), deviation, 1e-6);
  model->train();
  model->set_targets(targets);
  const models::ModelOutput out = model->forward(x);
  const models::LossTerms terms = model->loss(x, out);
  // The head predicts in the property's units; its error is scored standardised.
  const torch::Tensor predicted = model->predict_targets(out.z).detach();
  const double expected =
      3.0 * ((predicted - targets) / deviation).square().mean().item<double>();
  EXPECT_GT(expected, 0.0);
  EXPECT_NEAR(terms.penalty.item<double>(), expected, 1e-4);
  EXPECT_NEAR(terms.total.item<double>(),
              terms.reconstruction.item<double>() + terms.kl.item<double>() + expected, 1e-4);
  // Without targets (evaluation's losses), and in evaluation mode, the loss is the ELBO.
  model->set_targets({});
  EXPECT_EQ(model->loss(x, out).penalty.item<double>(), 0.0);
  model->set_targets(targets);
  model->eval();
  EXPECT_EQ(model->loss(x, out).penalty.item<double>(), 0.0);
  // A batch whose targets do not match is an error, not a broadcast.
  model->train();
  model->set_targets(targets.slice(0, 0, 3));
  EXPECT_THROW(model->loss(x, out), aekit::InputError);
  // Without a property there is no head, and nothing to predict.
  auto plain = small_model(8, 9);
  EXPECT_EQ(plain->target_name(), "");
  EXPECT_TRUE(plain->named_buffers().find("property_mean") == nullptr);
  EXPECT_THROW(plain->predict_targets(out.z), aekit::InputError);
}

TEST(SequenceVae, PropertyHeadLearnsTheMolecularWeightOfTheTestMolecules) {
  if (!aekit::chem::available()) GTEST_SKIP() << "built without RDKit (librdkit-dev)";
  torch::manual_seed(6);
  data::FileInfo info;
  const torch::Tensor x = read_test_molecules(info);
  const torch::Tensor weights = data::molecule_properties(x, info.table, "molwt", "test");
  ASSERT_TRUE(torch::isfinite(weights).all().item<bool>());
  auto model = models::SequenceVae(
      models::SequenceVaeOptions({x.size(1)}, static_cast<int64_t>(info.table.vocabulary.size()), 8)
          .embedding(16)
          .encoder_hidden(32)
          .decoder_hidden(32)
          .kl_warmup_steps(0)
          .beta(0.1)
          .property("molwt")
          .property_weight(10.0));
  model->fit_targets(weights);
  const auto r2 = [&] {
    torch::NoGradGuard no_grad;
    model->eval();
    const torch::Tensor predicted = model->predict_targets(model->encode(x));
    model->train();
    return 1.0 - (predicted - weights).square().sum().item<double>() /
                     (weights - weights.mean()).square().sum().item<double>();
  };
  const double before = r2();
  torch::optim::Adam optimizer(model->parameters(), torch::optim::AdamOptions(1e-2));
  model->train();
  for (int step = 0; step < 60; ++step) {
    optimizer.zero_grad();
    model->set_targets(weights);
    model->loss(x, model->forward(x)).total.backward();
    optimizer.step();
  }
  const double after = r2();
  EXPECT_LT(before, 0.5);
  EXPECT_GT(after, 0.8) << "R^2 before training " << before;
}

TEST(SequenceVae, GrammarMakesDecodedCodesMolecules) {
  if (!aekit::chem::available()) GTEST_SKIP() << "built without RDKit (librdkit-dev)";
  torch::manual_seed(5);
  data::FileInfo info;
  const torch::Tensor x = read_test_molecules(info);
  auto model = small_model(x.size(1), static_cast<int64_t>(info.table.vocabulary.size()));
  model->eval();
  const torch::Tensor z = torch::randn({200, 8}) * 3;
  models::TokenDecoding sampled;
  sampled.temperature = 1.0;
  sampled.constrained = false;
  const auto validity = [&](const torch::Tensor& ids) {
    return aekit::chem::generation_metrics(data::molecule_smiles(ids, info.table), {}).validity;
  };
  torch::manual_seed(6);
  const double free = validity(model->decode_tokens(z, sampled));
  model->set_grammar(aekit::chem::smiles_grammar(info.table.vocabulary));
  sampled.constrained = true;
  torch::manual_seed(6);
  const double constrained = validity(model->decode_tokens(z, sampled));
  // An untrained decoder samples nearly uniform tokens: hardly ever a molecule without the
  // grammar, mostly one within it (0.745 when written; a uniform walk can still paint itself
  // into a corner, SmilesGrammar.RandomWalksWithinItAreMoleculesRdkitReads).
  EXPECT_LT(free, 0.3);
  EXPECT_GE(constrained, 0.6);
}

TEST(SequenceVae, BeamSearchFindsTheMostLikelySequenceAndWidthOneIsGreedy) {
  torch::manual_seed(7);
  // Two ordinary tokens and 4 positions: 15 sequences end by the last position (1 + 2 + 4 + 8),
  // so a beam of 16 keeps them all and must find the most likely one.
  const int64_t length = 4;
  const int64_t vocabulary = data::kSpecialTokens + 2;
  auto model = small_model(length, vocabulary);
  model->eval();
  std::vector<std::vector<float>> all;
  for (int64_t end = 0; end < length; ++end) {
    for (int64_t code = 0; code < (int64_t{1} << end); ++code) {
      std::vector<float> row(length, static_cast<float>(data::kPadToken));
      for (int64_t t = 0; t < end; ++t) {
        row[t] = static_cast<float>(data::kSpecialTokens + ((code >> t) & 1));
      }
      row[end] = static_cast<float>(data::kEndToken);
      all.push_back(row);
    }
  }
  ASSERT_EQ(all.size(), 15u);
  torch::Tensor sequences = torch::empty({15, length});
  for (int64_t i = 0; i < 15; ++i) sequences[i] = torch::tensor(all[i]);
  const torch::Tensor z = torch::randn({6, 8}) * 2;
  models::TokenDecoding beam;
  beam.beam_width = 16;
  const torch::Tensor searched = model->decode_tokens(z, beam);
  const torch::Tensor searched_ll = model->token_log_likelihood(searched, z);
  const torch::Tensor greedy = model->decode(z);
  beam.beam_width = 1;
  EXPECT_TRUE(model->decode_tokens(z, beam).equal(greedy));
  int64_t greedy_not_best = 0;
  for (int64_t i = 0; i < 6; ++i) {
    const torch::Tensor ll =
        model->token_log_likelihood(sequences, z[i].unsqueeze(0).expand({15, 8}));
    const int64_t best = ll.argmax().item<int64_t>();
    EXPECT_TRUE(searched[i].equal(sequences[best])) << "code " << i;
    EXPECT_NEAR(searched_ll[i].item<double>(), ll[best].item<double>(), 1e-5);
    // The decoder also gives <pad> and <bos> some probability, which no sequence takes.
    EXPECT_LT(ll.exp().sum().item<double>(), 1.0);
    greedy_not_best += greedy[i].equal(sequences[best]) ? 0 : 1;
  }
  std::cout << greedy_not_best << " of 6 greedy decodings were not the most likely sequence\n";
  beam.beam_width = 2;
  beam.temperature = 1;
  EXPECT_THROW(model->decode_tokens(z, beam), aekit::InputError);
}

TEST(SequenceVae, BeamSearchWithinTheGrammarGivesMolecules) {
  if (!aekit::chem::available()) GTEST_SKIP() << "built without RDKit (librdkit-dev)";
  torch::manual_seed(8);
  data::FileInfo info;
  const torch::Tensor x = read_test_molecules(info);
  auto model = small_model(x.size(1), static_cast<int64_t>(info.table.vocabulary.size()));
  model->set_grammar(aekit::chem::smiles_grammar(info.table.vocabulary));
  model->eval();
  const torch::Tensor z = torch::randn({40, 8}) * 3;
  models::TokenDecoding beam;
  beam.beam_width = 4;
  const torch::Tensor searched = model->decode_tokens(z, beam);
  const torch::Tensor greedy = model->decode(z);
  // Beam search gives the most likely finished sequence it meets: at least as likely as greedy
  // decoding's on most codes (not on every one: greedy's beginning can fall out of the beam).
  const torch::Tensor gain =
      model->token_log_likelihood(searched, z) - model->token_log_likelihood(greedy, z);
  EXPECT_GT(gain.mean().item<double>(), 0.0);
  EXPECT_GE((gain >= -1e-5).sum().item<int64_t>(), 30);
  const auto metrics =
      aekit::chem::generation_metrics(data::molecule_smiles(searched, info.table), {});
  EXPECT_GE(metrics.validity, 0.6);
}
