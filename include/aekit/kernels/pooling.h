#pragma once
/// 2x2, stride-2 max pooling of float32 planes (the conv AE's pooling, nn::max_pool_halve), in
/// one pass each way: forward writes each window's maximum and its position as one byte;
/// backward writes every input gradient (the window's gradient at that position, zero elsewhere)
/// without a separate zero fill. Planes are split over torch's intra-op threads.
/// Semantics are LibTorch's max_pool2d (kernel 2, stride 2, floor): a window's positions are
/// scanned row by row, a later value wins when greater or NaN, and an odd last row or column is
/// left out (its gradient is zero).

#include <cstdint>

namespace aekit::kernels {

/// `planes` planes of h x w (row-major, contiguous) into planes of (h / 2) x (w / 2): maxima into
/// `out`, the position of each (0..3: top left, top right, bottom left, bottom right) into `where`.
void max_pool_2x2_forward(const float* in, float* out, uint8_t* where, int64_t planes, int64_t h,
                          int64_t w);

/// The input gradient, planes x h x w, of max_pool_2x2_forward from the output gradient
/// `grad_out` (planes x h/2 x w/2) and the positions it wrote.
void max_pool_2x2_backward(const float* grad_out, const uint8_t* where, float* grad_in,
                           int64_t planes, int64_t h, int64_t w);

}  // namespace aekit::kernels
