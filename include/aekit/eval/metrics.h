#pragma once
/// Reconstruction metrics on data-space values (grey levels in [0, 1] for images).
///
///   rounded accuracy = share of values where round(x) == round(x^) (the Keras recipes' metric)
///   MSE              = mean over all values of (x - x^)^2
///   PSNR             = 10 log10(peak^2 / MSE) in dB, peak = 1 for data in [0, 1]

#include <torch/types.h>

namespace aekit::eval {

/// Share of values of x and x_hat (same shape) that round to the same integer.
///
/// Example: `double acc = aekit::eval::rounded_accuracy(images, model->decode(codes));`
double rounded_accuracy(const torch::Tensor& x, const torch::Tensor& x_hat);
/// Number of values of x and x_hat that round to the same integer.
int64_t rounded_matches(const torch::Tensor& x, const torch::Tensor& x_hat);
/// Mean squared error over all values.
double mean_squared_error(const torch::Tensor& x, const torch::Tensor& x_hat);
/// PSNR in dB of a mean squared error for a signal of the given peak value; infinite for mse = 0.
double psnr_from_mse(double mse, double peak = 1.0);

}  // namespace aekit::eval
