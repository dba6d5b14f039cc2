# Strict warnings for project code only: third-party headers are included as
# SYSTEM so their warnings never fail our build.
function(popsweep_set_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
  if(POPSWEEP_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
