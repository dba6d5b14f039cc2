# Rebuilds of LibTorch-heavy sources are slow; ccache makes a clean rebuild of
# unchanged files nearly free. The sloppiness settings let ccache cache
# sources compiled with a precompiled header.
find_program(POPSWEEP_CCACHE ccache)
if(POPSWEEP_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(launcher env CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
      ${POPSWEEP_CCACHE})
  set(CMAKE_C_COMPILER_LAUNCHER ${launcher})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${launcher})
  message(STATUS "popsweep: compiling through ccache")
endif()
