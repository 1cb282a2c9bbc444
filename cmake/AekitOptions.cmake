# Build switches. Each defaults to what a user building from source wants.
option(AEKIT_BUILD_APP "Build the aekit command-line program" ON)
option(AEKIT_BUILD_TESTS "Build the GoogleTest suite (run with ctest)" ON)
option(AEKIT_BUILD_BENCHMARKS "Build the Google Benchmark programs" ON)
option(AEKIT_WITH_CUDA "Compile the CUDA-only pieces (needs a CUDA LibTorch)" OFF)
option(AEKIT_WARNINGS_AS_ERRORS "Treat compiler warnings as errors" OFF)

# Target-scoped warning flags, applied to every aekit target by aekit_set_warnings().
function(aekit_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(AEKIT_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
