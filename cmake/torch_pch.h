// Precompiled header for the sources that use LibTorch. Only files that
// include a torch/ATen/c10 header get it (see CMakeLists.txt); the rest of
// the project never parses these headers.
#pragma once
#include <torch/torch.h>
