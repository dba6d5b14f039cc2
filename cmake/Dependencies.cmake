# Every third-party dependency is found here and gathered behind one interface
# target, popsweep_deps, so the rest of the build names no package.
# Debian bookworm provides all of them (scripts/setup installs them); a CUDA
# build points Torch_DIR at the official CUDA LibTorch instead.

if(NOT POPSWEEP_TORCH_FREE)
  find_package(Torch REQUIRED)
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
endif()
find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs)
find_package(PkgConfig REQUIRED)
pkg_check_modules(FFMPEG REQUIRED IMPORTED_TARGET libavformat libavcodec libswscale libavutil)
find_package(SQLite3 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json REQUIRED)
find_package(LibLZMA REQUIRED)
# ICU: captions normalised to NFC and the profile's time zone (context features).
find_package(ICU REQUIRED COMPONENTS uc i18n)
find_package(MPI REQUIRED COMPONENTS CXX)
find_package(Threads REQUIRED)

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
