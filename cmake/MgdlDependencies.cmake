# All dependencies are Debian 12 packages; scripts/install-deps.sh installs them.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Boost 1.74 REQUIRED)            # Boost.Multiprecision (header-only)
find_package(fmt REQUIRED)
find_package(OpenSSL REQUIRED COMPONENTS Crypto)  # SHA-256 of network files (certify, check)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
find_package(doctest REQUIRED)
# ONNX files (libonnx-dev): the onnx_proto target needs protobuf::libprotobuf.
find_package(Protobuf REQUIRED)
find_package(ONNX REQUIRED)

pkg_check_modules(GMP REQUIRED IMPORTED_TARGET gmp)
pkg_check_modules(MPFR REQUIRED IMPORTED_TARGET mpfr)

# Arb and MPFI ship no CMake or pkg-config files on Debian 12.
find_path(ARB_INCLUDE_DIR arb.h REQUIRED)
find_library(ARB_LIBRARY NAMES flint-arb arb REQUIRED)
find_path(FLINT_INCLUDE_DIR flint/flint.h REQUIRED)
find_library(FLINT_LIBRARY NAMES flint REQUIRED)
add_library(mgdl_arb INTERFACE)
target_include_directories(mgdl_arb SYSTEM INTERFACE ${ARB_INCLUDE_DIR} ${FLINT_INCLUDE_DIR}/flint)
target_link_libraries(mgdl_arb INTERFACE ${ARB_LIBRARY} ${FLINT_LIBRARY} PkgConfig::MPFR PkgConfig::GMP)

find_path(MPFI_INCLUDE_DIR mpfi.h REQUIRED)
find_library(MPFI_LIBRARY NAMES mpfi REQUIRED)
add_library(mgdl_mpfi INTERFACE)
target_include_directories(mgdl_mpfi SYSTEM INTERFACE ${MPFI_INCLUDE_DIR})
target_link_libraries(mgdl_mpfi INTERFACE ${MPFI_LIBRARY} PkgConfig::MPFR PkgConfig::GMP)

# Training (src/train): dense linear algebra, header-only.
find_package(Eigen3 3.4 REQUIRED NO_MODULE)
