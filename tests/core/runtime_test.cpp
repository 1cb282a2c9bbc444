#include "aekit/core/runtime.h"

#include "../support/test_support.h"

#include <ATen/Parallel.h>
#include <gtest/gtest.h>

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

TEST(Runtime, DeviceParsing) {
  EXPECT_EQ(aekit::parse_device("cpu"), torch::Device(torch::kCPU));
  EXPECT_INPUT_ERROR(aekit::parse_device("tpu"), "device 'tpu': expected cpu, cuda, cuda:N or auto");
  if (!torch::cuda::is_available()) {
    EXPECT_EQ(aekit::parse_device("auto"), torch::Device(torch::kCPU));
    EXPECT_INPUT_ERROR(aekit::parse_device("cuda"), "this LibTorch sees no CUDA device");
  }
}
