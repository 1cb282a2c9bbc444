#include "aekit/nn/lstm.h"

#include "aekit/kernels/lstm_cell.h"
#include "aekit/kernels/matmul.h"
#include "aekit/kernels/parallel.h"

#include <torch/autograd.h>

namespace aekit::nn {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Rows of the batch per thread at the least: fewer make the per-step products too small to pay for
// a thread.
constexpr int64_t kRowsPerThread = 8;

// An input expanded over time (the decoder's repeated code) has stride 0 along T.
bool repeated_over_time(const torch::Tensor& input) {
  return input.size(1) > 1 && input.stride(1) == 0;
}

// out = a b (+ bias), its rows split over torch's threads (each product single-threaded on
// OpenBLAS, which this step leaves one thread), so the products use every core without a second
// thread pool.
void product_rows_in_parallel(torch::Tensor out, const torch::Tensor& a, const torch::Tensor& b,
                              const torch::Tensor& bias = {}) {
  kernels::parallel_for(out.size(0), kRowsPerThread, [&](int64_t begin, int64_t end) {
    const torch::NoGradGuard no_grad;
    torch::Tensor rows = out.narrow(0, begin, end - begin);
    if (bias.defined()) {
      torch::addmm_out(rows, bias, a.narrow(0, begin, end - begin), b);
    } else {
      torch::mm_out(rows, a.narrow(0, begin, end - begin), b);
    }
  });
}

// bias + a b as a new [rows of a, 4H] tensor.
torch::Tensor projection(const torch::Tensor& a, const torch::Tensor& w_ih, const torch::Tensor& bias) {
  torch::Tensor out = torch::empty({a.size(0), w_ih.size(0)}, a.options());
  product_rows_in_parallel(out, a, w_ih.t(), bias);
  return out;
}

struct LstmSequence : public torch::autograd::Function<LstmSequence> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input,
                               const torch::Tensor& w_ih, const torch::Tensor& w_hh,
                               const torch::Tensor& b_ih, const torch::Tensor& b_hh) {
    const int64_t batch = input.size(0);
    const int64_t steps = input.size(1);
    const int64_t hidden = w_hh.size(1);
    const bool repeated = repeated_over_time(input);
    const torch::Tensor bias = b_ih + b_hh;
    // Gate pre-activations of every step, [T, B, 4H]: the input projection first.
    torch::Tensor gates;
    torch::Tensor steps_input;  // [T, B, F] contiguous, or the one step [B, F] when repeated
    if (repeated) {
      steps_input = input.select(1, 0).contiguous();
      gates = projection(steps_input, w_ih, bias).unsqueeze(0).repeat({steps, 1, 1});
    } else {
      steps_input = input.transpose(0, 1).contiguous();
      gates = projection(steps_input.view({steps * batch, -1}), w_ih, bias)
                  .view({steps, batch, 4 * hidden});
    }
    const auto options = input.options();
    torch::Tensor cells = torch::empty({steps, batch, hidden}, options);
    torch::Tensor tanh_cells = torch::empty({steps, batch, hidden}, options);
    torch::Tensor outputs = torch::empty({steps, batch, hidden}, options);
    const torch::Tensor w_hh_t = w_hh.t();
    // The recurrence is sequential in time but independent across rows: each of torch's threads
    // runs every step for its own rows, with its own (single-threaded) products.
    float* gate_data = gates.data_ptr<float>();
    float* cell_data = cells.data_ptr<float>();
    float* tanh_data = tanh_cells.data_ptr<float>();
    float* output_data = outputs.data_ptr<float>();
    const float* w_hh_data = w_hh.data_ptr<float>();
    kernels::parallel_for(batch, kRowsPerThread, [&](int64_t begin, int64_t end) {
      const int64_t rows = end - begin;
      for (int64_t t = 0; t < steps; ++t) {
        const int64_t row = t * batch + begin;       // this step's first row
        const int64_t previous = row - batch;        // the previous step's
        float* step_gates = gate_data + row * 4 * hidden;
        if (t > 0) {
          kernels::gemm_row_major(rows, 4 * hidden, hidden, output_data + previous * hidden,
                                  hidden, w_hh_data, hidden, /*b_transposed=*/true, 1.0f,
                                  step_gates, 4 * hidden);
        }
        kernels::lstm_cell_forward(step_gates, t > 0 ? cell_data + previous * hidden : nullptr,
                                   cell_data + row * hidden, tanh_data + row * hidden,
                                   output_data + row * hidden, rows, hidden);
      }
    });
    ctx->save_for_backward({w_ih, w_hh});
    ctx->saved_data["steps_input"] = steps_input;
    ctx->saved_data["gates"] = gates;
    ctx->saved_data["cells"] = cells;
    ctx->saved_data["tanh_cells"] = tanh_cells;
    ctx->saved_data["outputs"] = outputs;
    return outputs.transpose(0, 1).contiguous();
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grad_outputs) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& w_ih = saved[0];
    const torch::Tensor& w_hh = saved[1];
    const torch::Tensor steps_input = ctx->saved_data["steps_input"].toTensor();
    const torch::Tensor gates = ctx->saved_data["gates"].toTensor();
    const torch::Tensor cells = ctx->saved_data["cells"].toTensor();
    const torch::Tensor tanh_cells = ctx->saved_data["tanh_cells"].toTensor();
    const torch::Tensor outputs = ctx->saved_data["outputs"].toTensor();
    const bool repeated = steps_input.dim() == 2;  // one step [B, F] for a repeated input
    const int64_t steps = gates.size(0);
    const int64_t batch = gates.size(1);
    const int64_t hidden = w_hh.size(1);

    // dL/dh of each step's output, [T, B, H].
    const torch::Tensor grad = grad_outputs[0].defined()
                                   ? grad_outputs[0].transpose(0, 1).contiguous()
                                   : torch::zeros({steps, batch, hidden}, gates.options());
    torch::Tensor dgates = torch::empty_like(gates);
    // dL/dh that step t + 1 sends back to step t through w_hh, and dL/dc, for every row.
    torch::Tensor dh_recurrent = torch::empty({batch, hidden}, gates.options());
    torch::Tensor dc = torch::zeros({batch, hidden}, gates.options());
    const float* gate_data = gates.data_ptr<float>();
    const float* cell_data = cells.data_ptr<float>();
    const float* tanh_data = tanh_cells.data_ptr<float>();
    const float* grad_data = grad.data_ptr<float>();
    const float* w_hh_data = w_hh.data_ptr<float>();
    float* dgate_data = dgates.data_ptr<float>();
    float* dh_data = dh_recurrent.data_ptr<float>();
    float* dc_data = dc.data_ptr<float>();
    kernels::parallel_for(batch, kRowsPerThread, [&](int64_t begin, int64_t end) {
      const int64_t rows = end - begin;
      float* dh_rows = dh_data + begin * hidden;
      for (int64_t t = steps; t-- > 0;) {
        const int64_t row = t * batch + begin;
        if (t + 1 < steps) {
          kernels::gemm_row_major(rows, hidden, 4 * hidden, dgate_data + (row + batch) * 4 * hidden,
                                  4 * hidden, w_hh_data, hidden, /*b_transposed=*/false, 0.0f,
                                  dh_rows, hidden);
        }
        kernels::lstm_cell_backward(grad_data + row * hidden, t + 1 < steps ? dh_rows : nullptr,
                                    dc_data + begin * hidden, gate_data + row * 4 * hidden,
                                    t > 0 ? cell_data + (row - batch) * hidden : nullptr,
                                    tanh_data + row * hidden, dgate_data + row * 4 * hidden, rows,
                                    hidden);
      }
    });
    const torch::Tensor dflat = dgates.view({steps * batch, 4 * hidden});
    torch::Tensor d_input, d_w_ih, d_w_hh, d_bias;
    const int64_t features = w_ih.size(1);
    if (ctx->needs_input_grad(0)) {
      // [T, B, F] -> [B, T, F]; a repeated input gets its gradient per step, which the expand
      // in front of it sums.
      d_input = torch::empty({steps * batch, features}, gates.options());
      product_rows_in_parallel(d_input, dflat, w_ih);
      d_input = d_input.view({steps, batch, features}).transpose(0, 1);
    }
    if (ctx->needs_input_grad(1)) {
      d_w_ih = torch::empty_like(w_ih);
      if (repeated) {
        product_rows_in_parallel(d_w_ih, dgates.sum(0).t(), steps_input);
      } else {
        product_rows_in_parallel(d_w_ih, dflat.t(), steps_input.view({steps * batch, features}));
      }
    }
    if (ctx->needs_input_grad(2)) {
      // Step 0 starts from h = 0 and adds nothing.
      d_w_hh = steps > 1 ? torch::empty_like(w_hh) : torch::zeros_like(w_hh);
      if (steps > 1) {
        product_rows_in_parallel(d_w_hh, dgates.slice(0, 1).view({(steps - 1) * batch, 4 * hidden}).t(),
                            outputs.slice(0, 0, steps - 1).view({(steps - 1) * batch, hidden}));
      }
    }
    if (ctx->needs_input_grad(3) || ctx->needs_input_grad(4)) d_bias = dflat.sum(0);
    return {d_input, d_w_ih, d_w_hh, ctx->needs_input_grad(3) ? d_bias : torch::Tensor(),
            ctx->needs_input_grad(4) ? d_bias : torch::Tensor()};
  }
};

bool cpu_float32(const torch::Tensor& t) {
  return t.defined() && t.device().is_cpu() && t.scalar_type() == torch::kFloat32 &&
         t.layout() == torch::kStrided;
}

}  // namespace

torch::Tensor lstm_sequence(const torch::Tensor& input, const torch::Tensor& w_ih,
                            const torch::Tensor& w_hh, const torch::Tensor& b_ih,
                            const torch::Tensor& b_hh) {
  TORCH_CHECK(input.dim() == 3 && w_ih.dim() == 2 && w_hh.dim() == 2 &&
                  w_ih.size(1) == input.size(2) && w_hh.size(0) == 4 * w_hh.size(1) &&
                  w_ih.size(0) == w_hh.size(0) && b_ih.numel() == w_hh.size(0) &&
                  b_hh.numel() == w_hh.size(0),
              "lstm_sequence: shapes ", input.sizes(), ", ", w_ih.sizes(), ", ", w_hh.sizes(),
              " do not fit");
  TORCH_CHECK(cpu_float32(input) && cpu_float32(w_ih) && cpu_float32(w_hh) && cpu_float32(b_ih) &&
                  cpu_float32(b_hh),
              "lstm_sequence: expected CPU float32 tensors");
  return LstmSequence::apply(input, w_ih.contiguous(), w_hh.contiguous(), b_ih, b_hh);
}

bool runs_own_lstm(const torch::nn::LSTM& layer, const torch::Tensor& sequence) {
  const auto& options = layer->options;
  if (options.num_layers() != 1 || options.bidirectional() || !options.bias() ||
      !options.batch_first() || options.proj_size() != 0) {
    return false;
  }
  if (!cpu_float32(sequence) || sequence.dim() != 3 || sequence.size(1) == 0 ||
      sequence.size(0) == 0) {
    return false;
  }
  for (const auto& p : layer->parameters()) {
    if (!cpu_float32(p)) return false;
  }
  return true;
}

torch::Tensor run_lstm(torch::nn::LSTM& layer, const torch::Tensor& sequence) {
  if (!runs_own_lstm(layer, sequence)) return std::get<0>(layer->forward(sequence));
  const auto parameters = layer->named_parameters();
  return lstm_sequence(sequence, parameters["weight_ih_l0"], parameters["weight_hh_l0"],
                       parameters["bias_ih_l0"], parameters["bias_hh_l0"]);
}

}  // namespace aekit::nn
