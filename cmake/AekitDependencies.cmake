# Every dependency comes from the system (Debian packages); nothing is downloaded at configure time.
# A machine without them (a GPU machine with only PyTorch's LibTorch) builds with the folder that
# scripts/gpu-deps.sh assembles from Debian's packages (scripts/gpu-check.sh, docs/gpu.md).
find_package(Torch REQUIRED)
message(STATUS "aekit: LibTorch ${Torch_VERSION} (${TORCH_CXX_FLAGS})")
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PNG REQUIRED)
# fmt and spdlog as aekit links them: header-only compiles them with LibTorch's C++ ABI flag.
if(AEKIT_HEADER_ONLY_FORMAT)
  set(AEKIT_FMT fmt::fmt-header-only)
  set(AEKIT_SPDLOG spdlog::spdlog_header_only)
else()
  set(AEKIT_FMT fmt::fmt)
  set(AEKIT_SPDLOG spdlog::spdlog)
endif()
# TurboJPEG by header and library, so that no pkg-config is needed.
find_path(AEKIT_TURBOJPEG_INCLUDE_DIR NAMES turbojpeg.h)
find_library(AEKIT_TURBOJPEG_LIBRARY NAMES turbojpeg)
if(NOT AEKIT_TURBOJPEG_INCLUDE_DIR OR NOT AEKIT_TURBOJPEG_LIBRARY)
  message(FATAL_ERROR "aekit: libjpeg-turbo's TurboJPEG (turbojpeg.h, libturbojpeg) not found: install libturbojpeg0-dev")
endif()
if(AEKIT_WITH_CHARTS)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(PLPLOT REQUIRED IMPORTED_TARGET plplot)
else()
  message(STATUS "aekit: charts off (AEKIT_WITH_CHARTS=OFF); commands skip every chart and say so")
endif()
if(AEKIT_WITH_SERVE AND AEKIT_BUILD_APP)
  # cpp-httplib as Debian builds it: a shared library whose class layouts depend on the defines in
  # its pkg-config file (OpenSSL, zlib and Brotli support).
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
elseif(NOT AEKIT_WITH_SERVE)
  message(STATUS "aekit: serve off (AEKIT_WITH_SERVE=OFF); aekit serve refuses to start")
endif()
if(AEKIT_WITH_GLOO)
  # Debian's LibTorch takes them from libgloo-dev; c10d declares its Gloo group only when both are there.
  find_path(AEKIT_C10D_GLOO_INCLUDE_DIR NAMES torch/csrc/distributed/c10d/ProcessGroupGloo.hpp
            HINTS ${TORCH_INCLUDE_DIRS})
  find_path(AEKIT_GLOO_INCLUDE_DIR NAMES gloo/config.h HINTS ${TORCH_INCLUDE_DIRS})
  if(NOT AEKIT_C10D_GLOO_INCLUDE_DIR OR NOT AEKIT_GLOO_INCLUDE_DIR)
    message(STATUS "aekit: c10d's Gloo headers not found; multi-process training refuses to start")
    set(AEKIT_WITH_GLOO OFF)
  endif()
endif()
if(AEKIT_WITH_ONEDNN)
  # Debian's LibTorch already loads libdnnl.so.2 (its MKL-DNN backend); the headers come from
  # libdnnl-dev. Without them the products run through LibTorch (nn/matmul.h).
  # Both are built with GCC's OpenMP runtime (libgomp), whose thread count nn/matmul.cpp sets. It is
  # linked by name rather than through FindOpenMP: with clang that would bring in a second runtime
  # (libomp), which takes over LibTorch's OpenMP calls.
  # oneDNN is found by its header and library, not through dnnl-config.cmake: Debian's config file
  # also requires OpenCL headers (a package libdnnl-dev only recommends), which aekit never uses.
  find_path(AEKIT_DNNL_INCLUDE_DIR NAMES oneapi/dnnl/dnnl.hpp)
  find_library(AEKIT_DNNL_LIBRARY NAMES dnnl)
  find_library(AEKIT_OPENMP_RUNTIME NAMES libgomp.so.1 gomp)
  if(AEKIT_DNNL_INCLUDE_DIR AND AEKIT_DNNL_LIBRARY AND AEKIT_OPENMP_RUNTIME)
    file(STRINGS "${AEKIT_DNNL_INCLUDE_DIR}/oneapi/dnnl/dnnl_version.h" dnnl_version_lines
         REGEX "#define DNNL_VERSION_(MAJOR|MINOR|PATCH) ")
    string(REGEX REPLACE "[^0-9;]" "" dnnl_version "${dnnl_version_lines}")
    string(REPLACE ";" "." dnnl_version "${dnnl_version}")
    message(STATUS "aekit: matrix products on oneDNN ${dnnl_version} (${AEKIT_DNNL_LIBRARY}, ${AEKIT_OPENMP_RUNTIME})")
  else()
    message(STATUS "aekit: oneDNN (libdnnl-dev) or libgomp not found; matrix products through LibTorch")
    set(AEKIT_WITH_ONEDNN OFF)
  endif()
endif()
if(AEKIT_BUILD_APP)
  find_package(CLI11 REQUIRED)
endif()
if(AEKIT_BUILD_TESTS)
  if(AEKIT_GTEST_SOURCE_DIR)
    # Compiled with LibTorch's C++ ABI flag, as the tests that link it are.
    separate_arguments(aekit_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
    add_compile_options(${aekit_torch_flags})
    set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
    add_subdirectory(${AEKIT_GTEST_SOURCE_DIR} ${PROJECT_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
    if(NOT TARGET GTest::gtest)  # GoogleTest 1.11 and later name them itself
      add_library(GTest::gtest ALIAS gtest)
      add_library(GTest::gtest_main ALIAS gtest_main)
    endif()
  else()
    find_package(GTest REQUIRED)
  endif()
endif()
if(AEKIT_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
