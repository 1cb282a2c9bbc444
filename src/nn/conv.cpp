#include "aekit/nn/conv.h"

#include "aekit/core/error.h"
#include "aekit/kernels/pooling.h"
#include "aekit/nn/autocast.h"

#include <torch/autograd.h>
#include <torch/nn/modules/conv.h>

#include <algorithm>

namespace aekit::nn {

std::vector<int64_t> GridShape::shape() const {
  std::vector<int64_t> out{channels};
  out.insert(out.end(), size.begin(), size.end());
  return out;
}

GridShape grid_shape(const std::vector<int64_t>& sample_shape, int64_t min_size,
                     const std::string& what) {
  AEKIT_CHECK_INPUT(sample_shape.size() >= 2 && sample_shape.size() <= 4,
                    "{}: expected image samples of shape [C, H, W] or [H, W], or volumes "
                    "[C, D, H, W], found [{}]",
                    what, fmt::join(sample_shape, ", "));
  GridShape grid;
  if (sample_shape.size() >= 3) grid.channels = sample_shape[0];
  grid.size.assign(sample_shape.end() - (sample_shape.size() == 4 ? 3 : 2), sample_shape.end());
  const bool large_enough = std::all_of(grid.size.begin(), grid.size.end(),
                                        [min_size](int64_t s) { return s >= min_size; });
  AEKIT_CHECK_INPUT(grid.channels >= 1 && large_enough,
                    "{}: expected {} of at least {} {}, found shape [{}]", what,
                    grid.dims() == 3 ? "volumes" : "images",
                    fmt::join(std::vector<int64_t>(grid.size.size(), min_size), " x "),
                    grid.dims() == 3 ? "voxels" : "pixels", fmt::join(sample_shape, ", "));
  return grid;
}

GridShape grid_shape_for_stack(const std::vector<int64_t>& sample_shape,
                               const std::vector<int64_t>& filters, const std::string& what) {
  AEKIT_CHECK_INPUT(!filters.empty() && filters.size() < 16,
                    "{}: expected between 1 and 15 entries in model.filters, found {}", what,
                    filters.size());
  return grid_shape(sample_shape, int64_t{1} << filters.size(), what);
}

torch::nn::AnyModule convolution(int64_t dims, int64_t in_channels, int64_t out_channels,
                                 int64_t stride) {
  if (dims == 3) {
    return torch::nn::AnyModule(torch::nn::Conv3d(
        torch::nn::Conv3dOptions(in_channels, out_channels, 3).stride(stride).padding(1)));
  }
  return torch::nn::AnyModule(torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in_channels, out_channels, 3).stride(stride).padding(1)));
}

namespace {

/// Padding and output padding of a k=3, s=2 transposed convolution: out = 2*in + 1 - 2p + op.
std::pair<int64_t, int64_t> upsample_padding(int64_t in, int64_t out) {
  if (out == 2 * in + 1) return {0, 0};
  if (out == 2 * in) return {1, 1};
  if (out == 2 * in - 1) return {1, 0};
  fail_input("transposed convolution from size {} cannot reach size {} (only {}, {} or {})", in,
             out, 2 * in - 1, 2 * in, 2 * in + 1);
}

}  // namespace

torch::nn::AnyModule upsample(int64_t in_channels, int64_t out_channels,
                              const std::vector<int64_t>& in_size,
                              const std::vector<int64_t>& out_size) {
  AEKIT_CHECK_INPUT(in_size.size() == out_size.size() && (in_size.size() == 2 || in_size.size() == 3),
                    "transposed convolution: expected 2 or 3 sizes on each side, found {} and {}",
                    in_size.size(), out_size.size());
  std::vector<int64_t> padding;
  std::vector<int64_t> extra;
  for (size_t i = 0; i < in_size.size(); ++i) {
    const auto [pad, more] = upsample_padding(in_size[i], out_size[i]);
    padding.push_back(pad);
    extra.push_back(more);
  }
  if (in_size.size() == 3) {
    return torch::nn::AnyModule(TransposedConv3d(
        torch::nn::ConvTranspose3dOptions(in_channels, out_channels, 3)
            .stride(2)
            .padding({padding[0], padding[1], padding[2]})
            .output_padding({extra[0], extra[1], extra[2]})));
  }
  return torch::nn::AnyModule(
      TransposedConv2d(torch::nn::ConvTranspose2dOptions(in_channels, out_channels, 3)
                                     .stride(2)
                                     .padding({padding[0], padding[1]})
                                     .output_padding({extra[0], extra[1]})));
}

namespace {

/// 2x2 max pooling of float32 images on aekit's kernels (kernels/pooling.h): the window
/// positions of the maxima kept as bytes, the backward pass one write per input gradient.
class MaxPoolHalve : public torch::autograd::Function<MaxPoolHalve> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x) {
    const torch::Tensor in = x.contiguous();
    const int64_t h = in.size(2);
    const int64_t w = in.size(3);
    torch::Tensor out = torch::empty({in.size(0), in.size(1), h / 2, w / 2}, in.options());
    torch::Tensor where = torch::empty(out.sizes(), in.options().dtype(torch::kUInt8));
    kernels::max_pool_2x2_forward(in.data_ptr<float>(), out.data_ptr<float>(),
                                  where.data_ptr<uint8_t>(), in.size(0) * in.size(1), h, w);
    ctx->save_for_backward({where});
    ctx->saved_data["shape"] = in.sizes().vec();
    return out;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const torch::Tensor where = ctx->get_saved_variables()[0];
    const std::vector<int64_t> shape = ctx->saved_data["shape"].toIntVector();
    const torch::Tensor dy = grads[0].contiguous();
    torch::Tensor dx = torch::empty(shape, dy.options());
    kernels::max_pool_2x2_backward(dy.data_ptr<float>(), where.data_ptr<uint8_t>(),
                                   dx.data_ptr<float>(), shape[0] * shape[1], shape[2], shape[3]);
    return {dx};
  }
};

}  // namespace

torch::Tensor max_pool_halve(const torch::Tensor& x) {
  if (x.dim() == 5) return torch::max_pool3d(x, 2);
  if (x.dim() == 4 && x.device().is_cpu() && x.scalar_type() == torch::kFloat32) {
    return MaxPoolHalve::apply(x);
  }
  return torch::max_pool2d(x, 2);
}

namespace {

/// The transposed convolution as an autograd function over LibTorch's regular-convolution
/// operators (oneDNN on the CPU). With C the convolution of the same stride and padding whose
/// weight is `weight` (C_in outputs from C_out inputs), the transposed convolution is C's
/// transpose: y = C^T x. So y is C's input gradient at output gradient x, dL/dx = C(dL/dy), and
/// dL/dW is C's weight gradient at input dL/dy and output gradient x.
class TransposedConvolution : public torch::autograd::Function<TransposedConvolution> {
 public:
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const torch::Tensor& weight, const torch::Tensor& bias,
                               std::vector<int64_t> stride, std::vector<int64_t> padding,
                               const std::vector<int64_t>& output_padding) {
    std::vector<int64_t> out_shape{x.size(0), weight.size(1)};
    for (size_t d = 0; d < stride.size(); ++d) {
      const int64_t k = weight.size(static_cast<int64_t>(d) + 2);
      out_shape.push_back((x.size(static_cast<int64_t>(d) + 2) - 1) * stride[d] - 2 * padding[d] +
                          k + output_padding[d]);
    }
    // Only the shape of C's input is read.
    const torch::Tensor shape_of_y = torch::empty(out_shape, x.options());
    const std::vector<int64_t> ones(stride.size(), 1);
    const std::vector<int64_t> zeros(stride.size(), 0);
    torch::Tensor y = std::get<0>(at::convolution_backward(
        x.contiguous(), shape_of_y, weight.contiguous(), c10::nullopt, stride, padding, ones,
        /*transposed=*/false, zeros, /*groups=*/1, {true, false, false}));
    if (bias.defined()) {
      std::vector<int64_t> bias_shape(out_shape.size(), 1);
      bias_shape[1] = bias.size(0);
      y.add_(bias.view(bias_shape));
    }
    ctx->save_for_backward({x, weight});
    ctx->saved_data["stride"] = stride;
    ctx->saved_data["padding"] = padding;
    ctx->saved_data["has_bias"] = bias.defined();
    return y;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& x = saved[0];
    const torch::Tensor& weight = saved[1];
    const std::vector<int64_t> stride = ctx->saved_data["stride"].toIntVector();
    const std::vector<int64_t> padding = ctx->saved_data["padding"].toIntVector();
    const std::vector<int64_t> ones(stride.size(), 1);
    const std::vector<int64_t> zeros(stride.size(), 0);
    const torch::Tensor dy = grads[0].contiguous();
    torch::Tensor dx;
    torch::Tensor dw;
    torch::Tensor db;
    if (ctx->needs_input_grad(0)) {
      dx = at::convolution(dy, weight, c10::nullopt, stride, padding, ones, false, zeros, 1);
    }
    if (ctx->needs_input_grad(1)) {
      dw = std::get<1>(at::convolution_backward(x, dy, weight, c10::nullopt, stride, padding, ones,
                                                false, zeros, 1, {false, true, false}));
    }
    if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(2)) {
      std::vector<int64_t> reduced{0};
      for (int64_t d = 2; d < dy.dim(); ++d) reduced.push_back(d);
      db = dy.sum(reduced);
    }
    return {dx, dw, db, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

/// transposed_convolution as the layer runs it: under autocast, its operands cast as autocast
/// casts a convolution's (differentiably, so the float32 parameters get float32 gradients).
template <typename Options>
torch::Tensor run_transposed(const torch::Tensor& x, const torch::Tensor& weight,
                             const torch::Tensor& bias, const Options& options,
                             at::IntArrayRef padding) {
  torch::Tensor in = x;
  torch::Tensor w = weight;
  torch::Tensor b = bias;
  if (const auto lower = autocast_type(x.device())) {
    in = x.to(*lower);
    w = weight.to(*lower);
    if (b.defined()) b = bias.to(*lower);
  }
  const at::IntArrayRef stride = *options.stride();
  const at::IntArrayRef output_padding = *options.output_padding();
  return transposed_convolution(in, w, b, stride, padding, output_padding);
}

template <typename Options>
bool plain_options(const Options& options) {
  const at::IntArrayRef dilation = *options.dilation();
  return options.groups() == 1 &&
         std::all_of(dilation.begin(), dilation.end(), [](int64_t d) { return d == 1; });
}

}  // namespace

torch::Tensor transposed_convolution(const torch::Tensor& x, const torch::Tensor& weight,
                                     const torch::Tensor& bias, at::IntArrayRef stride,
                                     at::IntArrayRef padding, at::IntArrayRef output_padding) {
  return TransposedConvolution::apply(x, weight, bias, stride.vec(), padding.vec(),
                                      output_padding.vec());
}

bool runs_own_transposed_convolution(const torch::Tensor& x) {
  if (!x.device().is_cpu()) return false;
  const auto lower = autocast_type(x.device());
  const at::ScalarType type = lower ? *lower : x.scalar_type();
  return (x.scalar_type() == torch::kFloat32 || x.scalar_type() == torch::kBFloat16) &&
         (type == torch::kFloat32 || type == torch::kBFloat16);
}

template <typename Layer>
torch::Tensor TransposedConvImpl<Layer>::forward(const torch::Tensor& x,
                                                 const c10::optional<at::IntArrayRef>& output_size) {
  if (output_size || !runs_own_transposed_convolution(x) || !plain_options(this->options)) {
    return Layer::forward(x, output_size);
  }
  return run_transposed(x, this->weight, this->bias, this->options, *this->padding());
}

template class TransposedConvImpl<torch::nn::ConvTranspose2dImpl>;
template class TransposedConvImpl<torch::nn::ConvTranspose3dImpl>;

}  // namespace aekit::nn
