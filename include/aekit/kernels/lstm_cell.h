#pragma once
/// The element-wise half of one LSTM step, forward and backward, each one vectorised pass over a
/// batch's rows (AVX-512, AVX2 or baseline x86-64, chosen at load time). The products stay with the
/// caller (nn::lstm_sequence). Gates are laid out as torch's LSTM has them: each row of the
/// [B, 4H] gate matrix holds input, forget, cell and output gates, H values each.

#include <cstdint>

namespace aekit::kernels {

/// One step forward over `rows` rows of `hidden` units. `gates` [rows, 4H] holds the
/// pre-activations on entry and the activated gates i, f, g, o on return. `c_prev` [rows, H] is the
/// previous cell state (null: zeros). Writes the cell state `c`, tanh(c) into `tanh_c`, and the
/// output h = o * tanh(c) into `h` (each [rows, H]).
void lstm_cell_forward(float* gates, const float* c_prev, float* c, float* tanh_c, float* h,
                       int64_t rows, int64_t hidden);

/// One step backward, with the values the forward step left. dL/dh of this step's output is
/// `dh_output` (the layer's output gradient) plus `dh_recurrent` (what the next step sends back
/// through the recurrent weights; null at the last step), each [rows, H]; `dc` [rows, H]
/// holds dL/dc from the next step on entry (zeros at the last step) and this step's dL/dc_prev on
/// return. `gates` are the activated gates, `c_prev` the previous cell state (null: zeros), `tanh_c`
/// this step's tanh(c). Writes dL/d(pre-activation) into `dgates` [rows, 4H].
void lstm_cell_backward(const float* dh_output, const float* dh_recurrent, float* dc,
                        const float* gates, const float* c_prev, const float* tanh_c,
                        float* dgates, int64_t rows, int64_t hidden);

}  // namespace aekit::kernels
