# popsweep_reaches_torch(FILE RESULT): whether FILE includes a LibTorch header
# (torch/, ATen/, c10/), directly or through the project headers it includes
# ("dir/name.h", relative to the source root). Decides which sources get the
# LibTorch precompiled header, and which a torch-free build leaves out.
# Answers are cached per file for the whole configure run.
function(popsweep_reaches_torch file result)
  get_property(known GLOBAL PROPERTY "POPSWEEP_REACHES_TORCH:${file}" SET)
  if(known)
    get_property(answer GLOBAL PROPERTY "POPSWEEP_REACHES_TORCH:${file}")
    set(${result} ${answer} PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY "POPSWEEP_REACHES_TORCH:${file}" OFF)  # an include cycle ends here
  file(STRINGS ${file} include_lines REGEX "^#include [<\"]")
  set(answer OFF)
  foreach(line ${include_lines})
    if(line MATCHES "^#include [<\"](torch|ATen|c10)/")
      set(answer ON)
      break()
    endif()
    if(line MATCHES "^#include \"([^\"]+)\"" AND EXISTS ${CMAKE_SOURCE_DIR}/${CMAKE_MATCH_1})
      popsweep_reaches_torch(${CMAKE_SOURCE_DIR}/${CMAKE_MATCH_1} header_answer)
      if(header_answer)
        set(answer ON)
        break()
      endif()
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY "POPSWEEP_REACHES_TORCH:${file}" ${answer})
  set(${result} ${answer} PARENT_SCOPE)
endfunction()
