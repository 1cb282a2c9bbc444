#include "aekit/models/sequence_vae.h"

#include "aekit/core/error.h"
#include "aekit/data/smiles.h"
#include "aekit/losses/kl.h"
#include "aekit/models/model_config.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/utils/rnn.h>

#include <algorithm>
#include <limits>

namespace aekit::models {

namespace {

/// The positions of each row up to and with its end token (the tokens that are not padding); an
/// all-padding row counts one. On the CPU, as packing wants them.
torch::Tensor sequence_lengths(const torch::Tensor& tokens) {
  return (tokens != data::kPadToken).sum(1).clamp_min(1).to(torch::kCPU, torch::kInt64);
}

}  // namespace

SequenceVaeImpl::SequenceVaeImpl(SequenceVaeOptions options_)
    : AutoencoderImpl(losses::Likelihood::kCategorical, options_.beta()),
      options(std::move(options_)) {
  const auto& shape = options.sample_shape();
  AEKIT_CHECK_INPUT(shape.size() == 1 && shape[0] >= 2,
                    "seq_vae: expected token sequences of shape [T] with T >= 2 (data.dataset "
                    "'molecules' or .smi files), found [{}]",
                    fmt::join(shape, ", "));
  AEKIT_CHECK_INPUT(
      options.vocabulary() > data::kSpecialTokens,
      "config key 'model.vocabulary': expected more than the {} special tokens, found "
      "{} (0 takes the data's vocabulary)",
      data::kSpecialTokens, options.vocabulary());
  for (const auto& [key, value] : {std::pair{"embedding", options.embedding()},
                                   {"encoder_hidden", options.encoder_hidden()},
                                   {"decoder_hidden", options.decoder_hidden()},
                                   {"decoder_layers", options.decoder_layers()}}) {
    AEKIT_CHECK_INPUT(value >= 1, "config key 'model.{}': expected 1 or more, found {}", key,
                      value);
  }
  AEKIT_CHECK_INPUT(options.word_dropout() >= 0 && options.word_dropout() < 1,
                    "config key 'model.word_dropout': expected a probability in [0, 1), found {}",
                    options.word_dropout());
  AEKIT_CHECK_INPUT(options.kl_warmup_steps() >= 0,
                    "config key 'model.kl_warmup_steps': expected 0 or more, found {}",
                    options.kl_warmup_steps());
  length_ = shape[0];
  const int64_t latent = options.latent_dim();
  embedding_ =
      register_module("embedding", torch::nn::Embedding(options.vocabulary(), options.embedding()));
  encoder_ = register_module(
      "encoder", torch::nn::GRU(torch::nn::GRUOptions(options.embedding(), options.encoder_hidden())
                                    .batch_first(true)
                                    .bidirectional(true)));
  mean_ = register_module("mean", torch::nn::Linear(2 * options.encoder_hidden(), latent));
  logvar_ = register_module("logvar", torch::nn::Linear(2 * options.encoder_hidden(), latent));
  initial_ = register_module(
      "initial", torch::nn::Linear(latent, options.decoder_layers() * options.decoder_hidden()));
  decoder_ = register_module(
      "decoder",
      torch::nn::GRU(torch::nn::GRUOptions(options.embedding() + latent, options.decoder_hidden())
                         .num_layers(options.decoder_layers())
                         .batch_first(true)));
  output_ =
      register_module("output", torch::nn::Linear(options.decoder_hidden(), options.vocabulary()));
  steps_ = register_buffer("kl_steps", torch::zeros({}, torch::kInt64));
  if (!target_name().empty()) {
    AEKIT_CHECK_INPUT(options.property_hidden() >= 1,
                      "config key 'model.property_hidden': expected 1 or more, found {}",
                      options.property_hidden());
    AEKIT_CHECK_INPUT(options.property_weight() >= 0,
                      "config key 'model.property_weight': expected 0 or more, found {}",
                      options.property_weight());
    property_head_ = register_module(
        "property_head",
        torch::nn::Sequential(torch::nn::Linear(latent, options.property_hidden()),
                              torch::nn::Tanh(),
                              torch::nn::Linear(options.property_hidden(), 1)));
    property_mean_ = register_buffer("property_mean", torch::zeros({}));
    property_scale_ = register_buffer("property_scale", torch::ones({}));
  }
}

std::string SequenceVaeImpl::target_name() const {
  return options.property() == "none" ? std::string() : options.property();
}

void SequenceVaeImpl::fit_targets(const torch::Tensor& train_targets) {
  if (!property_head_) return;
  const torch::Tensor values = train_targets.to(torch::kFloat64);
  AEKIT_CHECK_INPUT(values.numel() >= 2 && torch::isfinite(values).all().item<bool>(),
                    "config key 'model.property': expected a finite '{}' for each of 2 or more "
                    "training molecules, found {} values ({} finite)",
                    options.property(), values.numel(), torch::isfinite(values).sum().item<int64_t>());
  torch::NoGradGuard no_grad;
  property_mean_.fill_(values.mean().item<double>());
  property_scale_.fill_(std::max(values.std().item<double>(), 1e-6));
}

torch::Tensor SequenceVaeImpl::predict_targets(const torch::Tensor& z) {
  if (!property_head_) return AutoencoderImpl::predict_targets(z);
  return property_head_->forward(z).squeeze(1) * property_scale_ + property_mean_;
}

Posterior SequenceVaeImpl::posterior(const torch::Tensor& x) {
  const torch::Tensor tokens = x.reshape({x.size(0), length_}).to(torch::kInt64);
  AEKIT_CHECK_INPUT(tokens.numel() == 0 || (tokens.min().item<int64_t>() >= 0 &&
                                            tokens.max().item<int64_t>() < options.vocabulary()),
                    "seq_vae: expected token ids in [0, {}), found ids in [{}, {}]",
                    options.vocabulary(), tokens.min().item<int64_t>(),
                    tokens.max().item<int64_t>());
  const torch::Tensor lengths = sequence_lengths(tokens);
  const auto packed = torch::nn::utils::rnn::pack_padded_sequence(
      embedding_->forward(tokens), lengths, /*batch_first=*/true, /*enforce_sorted=*/false);
  const torch::Tensor last = std::get<1>(encoder_->forward_with_packed_input(packed));
  // h_n is (2 directions) x N x H: forward's state after the last token, backward's after the
  // first.
  const torch::Tensor h = torch::cat({last[0], last[1]}, 1);
  return {mean_->forward(h), logvar_->forward(h).clamp(kMinLogvar, kMaxLogvar)};
}

torch::Tensor SequenceVaeImpl::encode(const torch::Tensor& x) { return posterior(x).mean; }

torch::Tensor SequenceVaeImpl::initial_state(const torch::Tensor& z) {
  return torch::tanh(initial_->forward(z))
      .view({z.size(0), options.decoder_layers(), options.decoder_hidden()})
      .transpose(0, 1)
      .contiguous();
}

torch::Tensor SequenceVaeImpl::teacher_forced_logits(const torch::Tensor& tokens,
                                                     const torch::Tensor& z) {
  const int64_t n = tokens.size(0);
  torch::Tensor inputs = torch::cat(
      {torch::full({n, 1}, data::kStartToken, tokens.options()), tokens.narrow(1, 0, length_ - 1)},
      1);
  if (is_training() && options.word_dropout() > 0) {
    // Word dropout (Bowman et al.): the decoder must lean on z for the tokens it is not shown.
    const torch::Tensor drop = torch::rand({n, length_}, z.options()) < options.word_dropout();
    drop.select(1, 0).fill_(false);  // <bos> stays
    inputs = inputs.masked_fill(drop, data::kPadToken);
  }
  const torch::Tensor steps =
      torch::cat({embedding_->forward(inputs), z.unsqueeze(1).expand({n, length_, z.size(1)})}, 2);
  // Only the positions up to each sequence's end token are run (packed): the padding after it is
  // not scored, and sequences are mostly much shorter than the longest.
  const torch::Tensor lengths = sequence_lengths(tokens);
  const auto packed =
      torch::nn::utils::rnn::pack_padded_sequence(steps, lengths, /*batch_first=*/true,
                                                  /*enforce_sorted=*/false);
  const auto hidden = std::get<0>(decoder_->forward_with_packed_input(packed, initial_state(z)));
  return output_->forward(std::get<0>(torch::nn::utils::rnn::pad_packed_sequence(
      hidden, /*batch_first=*/true, /*padding_value=*/0.0, /*total_length=*/length_)));
}

ModelOutput SequenceVaeImpl::forward(const torch::Tensor& x) { return forward_to(x, x); }

ModelOutput SequenceVaeImpl::forward_to(const torch::Tensor& input, const torch::Tensor& target) {
  AEKIT_CHECK_INPUT(target.size(0) == input.size(0) && target.numel() == input.numel(),
                    "seq_vae: expected a target of the input's shape [{}], found [{}]",
                    fmt::join(input.sizes(), ", "), fmt::join(target.sizes(), ", "));
  const torch::Tensor tokens = target.reshape({target.size(0), length_}).to(torch::kInt64);
  const Posterior q = posterior(input);
  ModelOutput out;
  sample_posterior(q.mean, q.logvar, out);
  out.output = teacher_forced_logits(tokens, out.z);
  if (is_training() && torch::GradMode::is_enabled()) steps_ += 1;
  return out;
}

double SequenceVaeImpl::kl_weight() const {
  const int64_t warmup = options.kl_warmup_steps();
  if (warmup == 0) return beta();
  const auto steps = static_cast<double>(steps_.item<int64_t>());
  return beta() * std::min(1.0, steps / static_cast<double>(warmup));
}

LossTerms SequenceVaeImpl::loss(const torch::Tensor& x, const ModelOutput& out) {
  LossTerms terms;
  terms.reconstruction = losses::reconstruction_loss(likelihood(), out.output, x);
  terms.kl = losses::gaussian_kl(out.mean, out.logvar).mean();
  terms.total = terms.reconstruction + (is_training() ? kl_weight() : beta()) * terms.kl;
  terms.penalty = torch::zeros({}, terms.reconstruction.options());
  if (property_head_ && is_training() && targets().defined()) {
    AEKIT_CHECK_INPUT(targets().numel() == out.z.size(0),
                      "seq_vae: {} property targets for a batch of {} molecules", targets().numel(),
                      out.z.size(0));
    const torch::Tensor standardised =
        (targets().to(out.z.device(), torch::kFloat32).reshape({-1}) - property_mean_) /
        property_scale_;
    terms.penalty = options.property_weight() *
                    (property_head_->forward(out.z).squeeze(1) - standardised).square().mean();
    terms.total = terms.total + terms.penalty;
  }
  return terms;
}

torch::Tensor SequenceVaeImpl::decoder_step(const torch::Tensor& previous, const torch::Tensor& z,
                                            torch::Tensor& state) {
  const torch::Tensor step = torch::cat({embedding_->forward(previous), z}, 1).unsqueeze(1);
  auto [hidden, next_state] = decoder_->forward(step, state);
  state = next_state;
  return output_->forward(hidden.squeeze(1));
}

torch::Tensor SequenceVaeImpl::blocked_tokens(
    int64_t n, int64_t t, const std::vector<std::unique_ptr<TokenGrammar::Parse>>& parses) {
  const int64_t vocabulary = options.vocabulary();
  // The last position can only end the sequence.
  if (t == length_ - 1) {
    torch::Tensor blocked = torch::ones({n, vocabulary}, torch::kBool);
    blocked.select(1, data::kEndToken).fill_(false);
    return blocked;
  }
  torch::Tensor blocked = torch::zeros({n, vocabulary}, torch::kBool);
  blocked.narrow(1, 0, data::kEndToken).fill_(true);  // never <pad> or <bos>
  if (!parses.empty()) {
    std::vector<char> allowed;
    bool* rows = blocked.data_ptr<bool>();
    for (int64_t i = 0; i < n; ++i) {
      parses[i]->allowed(length_ - t, allowed);
      for (int64_t v = 0; v < vocabulary; ++v) rows[i * vocabulary + v] |= allowed[v] == 0;
    }
  }
  return blocked;
}

torch::Tensor SequenceVaeImpl::decode_tokens(const torch::Tensor& z,
                                             const TokenDecoding& decoding) {
  AEKIT_CHECK_INPUT(decoding.beam_width >= 1 && decoding.beam_width <= 1000,
                    "--beam: expected a beam width in [1, 1000], found {}", decoding.beam_width);
  AEKIT_CHECK_INPUT(decoding.beam_width == 1 || decoding.temperature == 0,
                    "--beam: beam search picks the most likely tokens, expected no --temperature, "
                    "found {}",
                    decoding.temperature);
  if (decoding.beam_width > 1) return beam_search(z, decoding.beam_width, decoding.constrained);
  torch::NoGradGuard no_grad;
  const int64_t n = z.size(0);
  const auto ids = torch::TensorOptions().dtype(torch::kInt64).device(z.device());
  torch::Tensor tokens = torch::full({n, length_}, data::kPadToken, ids);
  torch::Tensor previous = torch::full({n}, data::kStartToken, ids);
  torch::Tensor finished = torch::zeros({n}, ids.dtype(torch::kBool));
  torch::Tensor state = initial_state(z);
  std::vector<std::unique_ptr<TokenGrammar::Parse>> parses;
  if (grammar_ && decoding.constrained) {
    for (int64_t i = 0; i < n; ++i) parses.push_back(grammar_->start());
  }
  for (int64_t t = 0; t < length_; ++t) {
    const torch::Tensor logits =
        decoder_step(previous, z, state)
            .masked_fill(blocked_tokens(n, t, parses).to(z.device()),
                         -std::numeric_limits<float>::infinity());
    torch::Tensor token =
        decoding.temperature > 0
            ? torch::multinomial(torch::softmax(logits / decoding.temperature, 1), 1).squeeze(1)
            : logits.argmax(1);
    token = token.masked_fill(finished, data::kPadToken);
    tokens.select(1, t).copy_(token);
    if (!parses.empty()) {
      const torch::Tensor chosen = token.to(torch::kCPU).contiguous();
      const int64_t* ids_now = chosen.data_ptr<int64_t>();
      for (int64_t i = 0; i < n; ++i) parses[i]->push(ids_now[i]);
    }
    finished = finished | (token == data::kEndToken);
    if (finished.all().item<bool>()) break;
    previous = token;
  }
  return tokens.to(torch::kFloat32);
}

torch::Tensor SequenceVaeImpl::beam_search(const torch::Tensor& z, int64_t width,
                                           bool constrained) {
  torch::NoGradGuard no_grad;
  const float infinity = std::numeric_limits<float>::infinity();
  const int64_t n = z.size(0);
  const int64_t rows = n * width;  // code i's beams are rows i * width ... i * width + width - 1
  const int64_t vocabulary = options.vocabulary();
  const auto ids = torch::TensorOptions().dtype(torch::kInt64).device(z.device());
  const torch::Tensor codes = z.repeat_interleave(width, 0);
  torch::Tensor state = initial_state(codes);
  torch::Tensor tokens = torch::full({rows, length_}, data::kPadToken, ids);
  torch::Tensor previous = torch::full({rows}, data::kStartToken, ids);
  // The log-likelihood of each unfinished beam so far. At the start one beam per code is live:
  // the others would only repeat it.
  torch::Tensor scores = torch::full({n, width}, -infinity, z.options());
  scores.select(1, 0).fill_(0);
  scores = scores.view({rows});
  // The most likely finished sequence of each code so far. Beams that end leave the beam, so that
  // the `width` kept are always unfinished ones and no finished sequence is pushed out.
  torch::Tensor best = torch::full({n, length_}, data::kPadToken, ids);
  torch::Tensor best_score = torch::full({n}, -infinity, z.options());
  std::vector<std::unique_ptr<TokenGrammar::Parse>> parses;
  if (grammar_ && constrained) {
    for (int64_t i = 0; i < rows; ++i) parses.push_back(grammar_->start());
  }
  const torch::Tensor beam_start = torch::arange(n, ids).mul(width);
  for (int64_t t = 0; t < length_; ++t) {
    const torch::Tensor candidates =
        scores.unsqueeze(1) +
        torch::log_softmax(decoder_step(previous, codes, state), 1)
            .masked_fill(blocked_tokens(rows, t, parses).to(z.device()), -infinity);
    // Ending here: each code's best ending beam against its best finished sequence.
    const auto [ended, ending_beam] =
        candidates.select(1, data::kEndToken).view({n, width}).max(1);
    const torch::Tensor better = ended > best_score;
    torch::Tensor ending = tokens.index_select(0, beam_start + ending_beam);
    ending.select(1, t).fill_(data::kEndToken);
    best = torch::where(better.unsqueeze(1), ending, best);
    best_score = torch::where(better, ended, best_score);
    // Going on: the `width` most likely continuations that do not end.
    const auto [top, index] = candidates.index_fill(1, torch::tensor({data::kEndToken}, ids), -infinity)
                                  .view({n, width * vocabulary})
                                  .topk(width, 1);
    // Log-likelihoods only fall as a sequence grows: a code whose best unfinished beam is below
    // its best finished sequence is done.
    if ((top.select(1, 0) <= best_score).all().item<bool>()) break;
    const torch::Tensor token = index.remainder(vocabulary).view({rows});
    const torch::Tensor source = (beam_start.unsqueeze(1) + index.div(vocabulary, "floor")).view({rows});
    scores = top.reshape({rows});
    state = state.index_select(1, source);
    tokens = tokens.index_select(0, source);
    tokens.select(1, t).copy_(token);
    if (!parses.empty()) {
      const torch::Tensor from = source.to(torch::kCPU).contiguous();
      const torch::Tensor chosen = token.to(torch::kCPU).contiguous();
      std::vector<std::unique_ptr<TokenGrammar::Parse>> next(static_cast<size_t>(rows));
      for (int64_t r = 0; r < rows; ++r) {
        next[r] = parses[from.data_ptr<int64_t>()[r]]->clone();
        next[r]->push(chosen.data_ptr<int64_t>()[r]);
      }
      parses = std::move(next);
    }
    previous = token;
  }
  return best.to(torch::kFloat32);
}

torch::Tensor SequenceVaeImpl::token_log_likelihood(const torch::Tensor& tokens,
                                                    const torch::Tensor& z) {
  torch::NoGradGuard no_grad;
  const bool training = is_training();
  eval();  // no word dropout
  const torch::Tensor ids = tokens.reshape({tokens.size(0), length_}).to(torch::kInt64);
  const torch::Tensor log_p = torch::log_softmax(teacher_forced_logits(ids, z), 2)
                                  .gather(2, ids.unsqueeze(2))
                                  .squeeze(2);
  train(training);
  return log_p.masked_fill(ids == data::kPadToken, 0).sum(1);
}

torch::Tensor SequenceVaeImpl::decode(const torch::Tensor& z) { return decode_tokens(z, {}); }

torch::Tensor SequenceVaeImpl::decode_output(const torch::Tensor& /*z*/) {
  fail_input(
      "seq_vae: a code alone has no output distribution (each token depends on the tokens before "
      "it); decode codes with 'aekit generate' or 'aekit decode'");
}

ModelFamily sequence_vae_family() {
  ModelFamily family;
  family.description =
      "sequence VAE for token sequences (SMILES): bidirectional GRU encoder, autoregressive GRU "
      "decoder, categorical likelihood";
  family.traits.posterior = true;
  family.traits.tokens = true;
  const SequenceVaeOptions d(/*sample_shape=*/{}, /*vocabulary=*/0, /*latent_dim=*/56);
  family.defaults = with_shared_defaults({{"type", "seq_vae"},
                                          {"vocabulary", 0},
                                          {"latent_dim", d.latent_dim()},
                                          {"embedding", d.embedding()},
                                          {"encoder_hidden", d.encoder_hidden()},
                                          {"decoder_hidden", d.decoder_hidden()},
                                          {"decoder_layers", d.decoder_layers()},
                                          {"word_dropout", d.word_dropout()},
                                          {"kl_warmup_steps", d.kl_warmup_steps()},
                                          {"likelihood", "categorical"},
                                          {"beta", d.beta()},
                                          {"property", d.property()},
                                          {"property_weight", d.property_weight()},
                                          {"property_hidden", d.property_hidden()}});
  family.make = [](const Json& model, const std::vector<int64_t>& sample_shape) -> Autoencoder {
    AEKIT_CHECK_INPUT(config_likelihood(model) == losses::Likelihood::kCategorical,
                      "config key 'model.likelihood': seq_vae scores tokens, expected "
                      "\"categorical\", found \"{}\"",
                      model.at("likelihood").get<std::string>());
    const auto integer = [&](const char* key) {
      AEKIT_CHECK_INPUT(model.at(key).is_number_integer(),
                        "config key 'model.{}': expected a whole number, found {}", key,
                        model.at(key).dump());
      return model.at(key).get<int64_t>();
    };
    AEKIT_CHECK_INPUT(model.at("word_dropout").is_number(),
                      "config key 'model.word_dropout': expected a number, found {}",
                      model.at("word_dropout").dump());
    AEKIT_CHECK_INPUT(model.at("property").is_string(),
                      "config key 'model.property': expected a property name or \"none\", found {}",
                      model.at("property").dump());
    AEKIT_CHECK_INPUT(model.at("property_weight").is_number(),
                      "config key 'model.property_weight': expected a number, found {}",
                      model.at("property_weight").dump());
    return SequenceVae(
               SequenceVaeOptions(sample_shape, integer("vocabulary"), config_latent_dim(model))
                   .embedding(integer("embedding"))
                   .encoder_hidden(integer("encoder_hidden"))
                   .decoder_hidden(integer("decoder_hidden"))
                   .decoder_layers(integer("decoder_layers"))
                   .word_dropout(model.at("word_dropout").get<double>())
                   .kl_warmup_steps(integer("kl_warmup_steps"))
                   .beta(config_beta(model))
                   .property(to_lower(model.at("property").get<std::string>()))
                   .property_weight(model.at("property_weight").get<double>())
                   .property_hidden(integer("property_hidden")))
        .ptr();
  };
  return family;
}

}  // namespace aekit::models
