#pragma once
/// Reconstruction metrics on data-space values (grey levels in [0, 1] for images).
///
///   rounded accuracy = share of values where round(x) == round(x^) (the Keras recipes' metric)
///   MSE              = mean over all values of (x - x^)^2
///   PSNR             = 10 log10(peak^2 / MSE) in dB, peak = 1 for data in [0, 1]
///   BCE              = mean over all values of -(x log x^ + (1 - x) log(1 - x^)), x^ clipped to
///                      [1e-7, 1 - 1e-7] (Keras' epsilon), for x in [0, 1]; nats per value
///   SMAPE            = 100% x mean over all values of |x - x^| / ((|x| + |x^|) / 2), with 0/0 = 0
///                      (both exactly zero: a perfect value); between 0% and 200%

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
/// Sum over all values of the binary cross-entropy of x^ as the probability of x (see above).
double binary_cross_entropy_sum(const torch::Tensor& x, const torch::Tensor& x_hat);
/// Mean binary cross-entropy per value; throws InputError when x has values outside [0, 1].
double binary_cross_entropy(const torch::Tensor& x, const torch::Tensor& x_hat);
/// Sum over all values of |x - x^| / ((|x| + |x^|) / 2) (0 where both are 0), without the 100%.
double smape_sum(const torch::Tensor& x, const torch::Tensor& x_hat);
/// Symmetric mean absolute percentage error in percent, 0 to 200.
double smape(const torch::Tensor& x, const torch::Tensor& x_hat);
/// PSNR in dB of a mean squared error for a signal of the given peak value; infinite for mse = 0.
double psnr_from_mse(double mse, double peak = 1.0);

}  // namespace aekit::eval
