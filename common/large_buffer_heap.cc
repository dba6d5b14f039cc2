#include "common/large_buffer_heap.h"

#include <malloc.h>

namespace popsweep {

void keep_large_buffers_on_the_heap() {
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

}  // namespace popsweep
