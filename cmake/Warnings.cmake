# Strict warnings for project code only: third-party headers are included as
# SYSTEM so their warnings never fail our build.
function(popsweep_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
  if(POPSWEEP_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  # Under the sanitizers' instrumentation (and -O1) GCC's -Wmaybe-uninitialized
  # misfires on LibTorch's inlined headers (c10::intrusive_ptr inside
  # at::Generator, in tests/worker/nets/state_dict_loader_test.cc); ordinary
  # builds keep the warning.
  if(POPSWEEP_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
endfunction()
