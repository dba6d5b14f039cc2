#pragma once

namespace popsweep {

// Decoded photos (3.5 MB at 1080 px), decoded 1080p video frames (3 MB) and
// batch tensors are above glibc's default mmap threshold, so each one was a
// fresh mapping whose every page faulted in: 620,000 faults per 256 photos
// extracted. Served from the heap and kept after free, they fault 40% less
// (docs/BENCHMARKS.md). Call first thing in main, before any thread starts:
// popsweep's own main does, and so do the benchmarks that time its media
// paths, so they time what popsweep runs.
void keep_large_buffers_on_the_heap();

}  // namespace popsweep
