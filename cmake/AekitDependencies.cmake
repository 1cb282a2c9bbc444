# Every dependency comes from the system (Debian packages); nothing is downloaded at configure time.
find_package(Torch REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(ZLIB REQUIRED)
find_package(PNG REQUIRED)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PLPLOT REQUIRED IMPORTED_TARGET plplot)
pkg_check_modules(TURBOJPEG REQUIRED IMPORTED_TARGET libturbojpeg)
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
  find_package(GTest REQUIRED)
endif()
if(AEKIT_BUILD_BENCHMARKS)
  find_package(benchmark REQUIRED)
endif()
