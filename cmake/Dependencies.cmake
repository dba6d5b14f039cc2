# Every third-party dependency is found here and gathered behind one interface
# target, popsweep_deps, so the rest of the build names no package.
# Debian bookworm provides all of them (scripts/setup installs them); a CUDA
# build points Torch_DIR at the official CUDA LibTorch instead. Without root
# (a cluster's modules, a conda or Spack environment), CMAKE_PREFIX_PATH names
# the prefixes that hold them (docs/CONTAINER.md, "Building without root").

# Each dependency is looked for without REQUIRED, so that one configure run
# names every missing one, with the Debian package that provides it, and says
# where it looked, instead of stopping at the first with CMake's generic text.
set(popsweep_missing_dependencies "")
# popsweep_find_dependency(FOUND_VARIABLE NAME DEBIAN_PACKAGE <find_package arguments>)
macro(popsweep_find_dependency found_variable name debian_package)
  find_package(${name} ${ARGN} QUIET)
  if(NOT ${found_variable})
    list(APPEND popsweep_missing_dependencies "${name} (Debian package ${debian_package})")
  endif()
endmacro()

if(NOT POPSWEEP_TORCH_FREE)
  popsweep_find_dependency(Torch_FOUND Torch libtorch-dev)
  # The official LibTorch zips come in two C++ ABIs. OpenCV, FFmpeg, yaml-cpp
  # and the rest are Debian's, built with the C++11 ABI, so a pre-C++11 zip
  # would end in hundreds of undefined std::string symbols at link time: say
  # so here instead, and which zip to take.
  if(TORCH_CXX_FLAGS MATCHES "_GLIBCXX_USE_CXX11_ABI=0")
    message(FATAL_ERROR
      "The LibTorch at ${Torch_DIR} is built with the pre-C++11 ABI (TORCH_CXX_FLAGS: ${TORCH_CXX_FLAGS}), "
      "but popsweep links Debian's libraries, built with the C++11 ABI. Download the 'cxx11 ABI' LibTorch zip "
      "(libtorch-cxx11-abi-shared-with-deps-*.zip) and point Torch_DIR at its share/cmake/Torch.")
  endif()
  # LibTorch's c10d headers for the Gloo process group (data-parallel gangs)
  # include Gloo's, which Debian ships apart from libtorch-dev.
  find_path(popsweep_gloo_include_dir gloo/rendezvous/store.h HINTS ${TORCH_INCLUDE_DIRS})
  if(NOT popsweep_gloo_include_dir)
    list(APPEND popsweep_missing_dependencies "Gloo headers, gloo/rendezvous/store.h (Debian package libgloo-dev)")
  endif()
endif()
popsweep_find_dependency(OpenCV_FOUND OpenCV libopencv-dev COMPONENTS core imgproc imgcodecs)
popsweep_find_dependency(PKG_CONFIG_FOUND PkgConfig pkg-config)
if(PKG_CONFIG_FOUND)
  pkg_check_modules(FFMPEG QUIET IMPORTED_TARGET libavformat libavcodec libswscale libavutil)
  if(NOT FFMPEG_FOUND)
    list(APPEND popsweep_missing_dependencies
         "FFmpeg: pkg-config modules libavformat libavcodec libswscale libavutil (Debian packages libavformat-dev "
         "libavcodec-dev libswscale-dev libavutil-dev; pkg-config looks in PKG_CONFIG_PATH=$ENV{PKG_CONFIG_PATH} and "
         "in lib/pkgconfig under each CMAKE_PREFIX_PATH entry)")
  endif()
endif()
popsweep_find_dependency(SQLite3_FOUND SQLite3 libsqlite3-dev)
popsweep_find_dependency(yaml-cpp_FOUND yaml-cpp libyaml-cpp-dev)
popsweep_find_dependency(fmt_FOUND fmt libfmt-dev)
popsweep_find_dependency(spdlog_FOUND spdlog libspdlog-dev)
popsweep_find_dependency(CLI11_FOUND CLI11 libcli11-dev)
popsweep_find_dependency(nlohmann_json_FOUND nlohmann_json nlohmann-json3-dev)
popsweep_find_dependency(LIBLZMA_FOUND LibLZMA liblzma-dev)
# ICU: captions normalised to NFC and the profile's time zone (context features).
popsweep_find_dependency(ICU_FOUND ICU libicu-dev COMPONENTS uc i18n)
popsweep_find_dependency(MPI_CXX_FOUND MPI libopenmpi-dev COMPONENTS CXX)
popsweep_find_dependency(Threads_FOUND Threads libc6-dev)

if(popsweep_missing_dependencies)
  list(JOIN popsweep_missing_dependencies "\n  " popsweep_missing_lines)
  set(popsweep_system_prefixes ${CMAKE_SYSTEM_PREFIX_PATH})
  list(REMOVE_DUPLICATES popsweep_system_prefixes)
  list(JOIN popsweep_system_prefixes " " popsweep_system_prefixes)
  set(popsweep_ignored_prefixes "")
  if(CMAKE_IGNORE_PREFIX_PATH)
    set(popsweep_ignored_prefixes ", leaving out CMAKE_IGNORE_PREFIX_PATH=${CMAKE_IGNORE_PREFIX_PATH}")
  endif()
  message(FATAL_ERROR
    "popsweep: missing dependencies:\n  ${popsweep_missing_lines}\n"
    "Looked in CMAKE_PREFIX_PATH=${CMAKE_PREFIX_PATH} (CMake variable) and CMAKE_PREFIX_PATH=$ENV{CMAKE_PREFIX_PATH} "
    "(environment), then the system prefixes ${popsweep_system_prefixes}"
    "${popsweep_ignored_prefixes}.\n"
    "Add the prefix that holds each one to CMAKE_PREFIX_PATH (a module's or a conda/Spack environment's root), "
    "or set NAME_DIR to the folder holding its NAMEConfig.cmake; on Debian, scripts/setup installs them all. "
    "cmake --debug-find-pkg=NAME lists every path tried.")
endif()

# What the readers of outside data (profiles, specs, weight files, media) need:
# no LibTorch and no MPI, so the fuzz targets (fuzz/) link only this.
add_library(popsweep_input_deps INTERFACE)
target_include_directories(popsweep_input_deps SYSTEM INTERFACE ${OpenCV_INCLUDE_DIRS})
target_link_libraries(popsweep_input_deps INTERFACE
  ${OpenCV_LIBS}
  PkgConfig::FFMPEG
  SQLite::SQLite3
  yaml-cpp
  fmt::fmt
  spdlog::spdlog
  nlohmann_json::nlohmann_json
  LibLZMA::LibLZMA
  ICU::i18n
  ICU::uc
  Threads::Threads)

add_library(popsweep_deps INTERFACE)
# LibTorch's headers are noisy under -Wextra; mark them as system headers.
target_include_directories(popsweep_deps SYSTEM INTERFACE ${TORCH_INCLUDE_DIRS})
target_link_libraries(popsweep_deps INTERFACE
  popsweep_input_deps
  ${TORCH_LIBRARIES}
  CLI11::CLI11
  MPI::MPI_CXX)
if(TORCH_CXX_FLAGS)
  separate_arguments(popsweep_torch_flags UNIX_COMMAND "${TORCH_CXX_FLAGS}")
  target_compile_options(popsweep_deps INTERFACE ${popsweep_torch_flags})
endif()
if(POPSWEEP_SANITIZE)
  # -fno-sanitize-recover: a UBSan finding ends the process (and fails the
  # test) instead of printing a line and carrying on. -O1 -g1 (after the
  # build type's flags, so they win): the level ASan recommends, line numbers
  # in every report, and LibTorch-heavy sources compile three times faster
  # than at -O2 -g with the sanitizers on.
  # The torch-free CI step builds at -O0 instead: a third less compile time,
  # and its tests are light enough that speed does not matter.
  if(POPSWEEP_TORCH_FREE)
    set(popsweep_sanitize_optimisation -O0)
  else()
    set(popsweep_sanitize_optimisation -O1)
  endif()
  target_compile_options(popsweep_deps INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all
                                                 -fno-omit-frame-pointer ${popsweep_sanitize_optimisation} -g1)
  target_link_options(popsweep_deps INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
