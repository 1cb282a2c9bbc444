# Build switches. Each defaults to what a user building from source wants.
option(AEKIT_BUILD_APP "Build the aekit command-line program" ON)
option(AEKIT_BUILD_TESTS "Build the GoogleTest suite (run with ctest)" ON)
option(AEKIT_BUILD_BENCHMARKS "Build the Google Benchmark programs" ON)
option(AEKIT_WITH_ONEDNN "Run the hand-written training steps' matrix products on oneDNN (libdnnl-dev) when found" ON)
option(AEKIT_WITH_CUDA "Compile the CUDA-only pieces (needs a CUDA LibTorch)" OFF)
option(AEKIT_WITH_CHARTS "Draw charts with PLplot's cairo driver (libplplot-dev); OFF: commands skip every chart and say so" ON)
option(AEKIT_WITH_SERVE "Build aekit serve, the latent-space explorer in the browser (libcpp-httplib-dev)" ON)
option(AEKIT_WITH_RDKIT "Molecules (SMILES datasets, their measures and drawings) through RDKit (librdkit-dev), when found" ON)
option(AEKIT_WITH_GLOO "Multi-process training on c10d's Gloo process group, when LibTorch's Gloo headers are found" ON)
option(AEKIT_HEADER_ONLY_FORMAT "Use fmt and spdlog header-only (for a LibTorch whose C++ ABI differs from the system's libraries)" OFF)
set(AEKIT_GTEST_SOURCE_DIR "" CACHE PATH "Build GoogleTest from these sources (/usr/src/googletest) instead of finding an installed one")
option(AEKIT_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" OFF)
option(AEKIT_SANITIZE "Build everything with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(AEKIT_BUILD_FUZZERS "Build the libFuzzer targets in tests/fuzz (needs clang)" OFF)
option(AEKIT_PRECOMPILE_HEADERS "Precompile the LibTorch, JSON and fmt headers that most sources include" ON)

if(AEKIT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=address,undefined)
endif()
if(AEKIT_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "AEKIT_BUILD_FUZZERS needs clang (configure with CMAKE_CXX_COMPILER=clang++)")
  endif()
  # Coverage instrumentation everywhere; the fuzzer's main only in the fuzz targets.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# Target-scoped warning flags, applied to every aekit target by aekit_set_warnings().
function(aekit_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(AEKIT_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# One precompiled header per target of the LibTorch, JSON and fmt headers that most of its sources
# include. A source built with its own definitions or code-generation flags must skip it (the
# SKIP_PRECOMPILE_HEADERS source property): a precompiled header holds only the target's flags.
function(aekit_precompile_headers target)
  if(AEKIT_PRECOMPILE_HEADERS)
    target_precompile_headers(${target} PRIVATE
      <torch/types.h> <torch/nn/module.h> <torch/nn/modules/linear.h>
      <nlohmann/json.hpp> <fmt/format.h> <string> <vector>)
  endif()
endfunction()
