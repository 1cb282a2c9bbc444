#include "aekit/core/runtime.h"
#include "aekit/models/model_config.h"
#include "aekit/train/run_config.h"

#include "../support/test_support.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <torch/cuda.h>

// scripts/setup.sh installs libopenblas0-pthread; torch must find it rather than the reference BLAS.
TEST(Runtime, TorchRunsOnOpenBlas) {
  const aekit::BlasInfo blas = aekit::detect_blas();
  EXPECT_EQ(blas.name, "OpenBLAS") << blas.detail;
  EXPECT_FALSE(blas.slow);
}

TEST(Runtime, ThreadPolicyGivesBlasTheThreadsAndTorchOne) {
  const aekit::ThreadSettings settings = aekit::configure_threads(2);
  EXPECT_EQ(settings.blas_threads, 2);
  EXPECT_EQ(settings.torch_threads, 1);
  EXPECT_EQ(at::get_num_threads(), 1);
  aekit::configure_threads(1);
  EXPECT_INPUT_ERROR(aekit::configure_threads(-1), "threads: expected 0 (one per core) or more, found -1");
}

TEST(Runtime, ConvolutionalAndRecurrentStepsGiveTorchsPoolTheThreadsAndOpenBlasOne) {
  using GetThreadsFn = int (*)();
  const auto blas_threads = reinterpret_cast<GetThreadsFn>(::dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  ASSERT_NE(blas_threads, nullptr);
  aekit::configure_threads(2);
  const auto step_of = [](const char* type) {
    const aekit::Json model = aekit::train::resolve_config(aekit::Json{{"model", {{"type", type}}}})["model"];
    return aekit::models::make_model(model, {1, 28, 28})->training_step(aekit::Precision::kFloat32);
  };
  // Convolutions, and aekit's LSTM recurrence split by rows, run on torch's pool.
  for (const char* type : {"conv_ae", "conv_vae", "vq_vae", "lstm_ae"}) {
    SCOPED_TRACE(type);
    const aekit::models::TrainingStep step = step_of(type);
    EXPECT_EQ(step.torch_threads, 2);
    EXPECT_EQ(step.blas_threads, 1);
  }
  // The products of the MLP families run on OpenBLAS: the pools stay as they are.
  for (const char* type : {"ae", "vae"}) {
    SCOPED_TRACE(type);
    const aekit::models::TrainingStep step = step_of(type);
    EXPECT_EQ(step.torch_threads, 0);
    EXPECT_EQ(step.blas_threads, 0);
  }
  EXPECT_EQ(blas_threads(), 2);
  {
    const aekit::ScopedBlasThreads scoped(1);
    EXPECT_EQ(blas_threads(), 1);
    const aekit::ScopedBlasThreads unchanged(0);
    EXPECT_EQ(blas_threads(), 1);
  }
  EXPECT_EQ(blas_threads(), 2);
  aekit::configure_threads(1);
}

TEST(Runtime, DeviceParsing) {
  EXPECT_EQ(aekit::parse_device("cpu"), torch::Device(torch::kCPU));
  EXPECT_INPUT_ERROR(aekit::parse_device("tpu"), "device 'tpu': expected cpu, cuda, cuda:N or auto");
  if (!torch::cuda::is_available()) {
    EXPECT_EQ(aekit::parse_device("auto"), torch::Device(torch::kCPU));
    EXPECT_INPUT_ERROR(aekit::parse_device("cuda"), "this LibTorch sees no CUDA device");
  }
}
