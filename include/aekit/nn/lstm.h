#pragma once
/// LSTM layers over whole sequences. On the CPU in float32 a layer runs aekit's own recurrence
/// (lstm_sequence): the input projection of every step as one product, one recurrent product per
/// step into preallocated gates, and the gate non-linearities with the cell update in one
/// vectorised pass, forward and backward. Elsewhere (CUDA, other dtypes, stacked or bidirectional
/// layers) it runs torch's own LSTM. Both read the same parameters, so checkpoints do not change.

#include <torch/nn/modules/rnn.h>
#include <torch/types.h>

namespace aekit::nn {

/// The output at every step, [B, T, H], of the one-layer, batch-first LSTM `layer` over
/// `sequence` [B, T, F], starting from zero state.
///
/// Example:
///   torch::nn::LSTM layer(torch::nn::LSTMOptions(28, 100).batch_first(true));
///   torch::Tensor h = aekit::nn::run_lstm(layer, x);  // x: [32, 28, 28] -> h: [32, 28, 100]
torch::Tensor run_lstm(torch::nn::LSTM& layer, const torch::Tensor& sequence);

/// Whether run_lstm takes aekit's recurrence for this layer and input.
bool runs_own_lstm(const torch::nn::LSTM& layer, const torch::Tensor& sequence);

/// aekit's recurrence itself, differentiable in every argument: `input` [B, T, F] (an input
/// expanded over time, stride 0 along T, is projected once), `w_ih` [4H, F], `w_hh` [4H, H], biases
/// [4H]; gates in torch's order (input, forget, cell, output). Returns the output at every step,
/// [B, T, H], from zero state. CPU float32 only.
torch::Tensor lstm_sequence(const torch::Tensor& input, const torch::Tensor& w_ih,
                            const torch::Tensor& w_hh, const torch::Tensor& b_ih,
                            const torch::Tensor& b_hh);

}  // namespace aekit::nn
