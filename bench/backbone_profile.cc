// How close popsweep's frozen EfficientNet-B0 comes to the machine's limit
// (issue 8): multiply-adds per 224x224 image layer by layer, the machine's
// peak (theoretical from /proc/cpuinfo, measured with a large at::mm and a
// large oneDNN 1x1 convolution), images/s of the frozen path the extractor
// runs across batch size, memory layout, batch-norm folding and threads,
// a per-layer time profile, bf16 inference and the oneDNN switch.
//
//   build/bench/popsweep_bench_backbone [SECTION...]
//
// Sections (all when none is named): machine macs peak sweep layers bf16
// mkldnn; named only: "onednn" (mkldnn's "on" rows alone) and "isa" (one
// conv, for ONEDNN_VERBOSE). Every timing is the
// median of 3 runs after one warm-up run; the weights are random (seed 0),
// which does not change the work done.
// bench/backbone_profile.sh runs it with the load noted and the oneDNN ISA
// shown. Printed as Markdown tables.
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench/backbone_profile_layers.h"
#include "bench/median_timer.h"
#include "worker/nets/efficientnet_b0_weights.h"
#include "worker/nets/frozen_efficientnet_b0.h"

namespace {

using popsweep::nets::EfficientNetB0;
using popsweep::nets::FrozenBackboneOptions;
using popsweep::nets::FrozenEfficientNetB0;

constexpr int kRuns = 3;
constexpr std::int64_t kImageSize = 224;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double median_seconds(const std::function<void()>& work, int runs = kRuns) {
  return popsweep::bench::median_seconds(runs, work);
}

std::string cpuinfo_field(const std::string& key) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? "" : line.substr(colon + 2);
    }
  }
  return "";
}

std::set<std::string> cpu_flags() {
  std::set<std::string> flags;
  std::string text = cpuinfo_field("flags") + " ";
  for (std::size_t start = 0, end; (end = text.find(' ', start)) != std::string::npos; start = end + 1) {
    if (end > start) flags.insert(text.substr(start, end - start));
  }
  return flags;
}

// fp32 lanes of the widest vector unit the CPU reports.
int fp32_lanes(const std::set<std::string>& flags) {
  if (flags.count("avx512f")) return 16;
  if (flags.count("avx2") || flags.count("avx")) return 8;
  return 4;
}

// Theoretical fp32 peak: cores x clock x lanes x 2 (an FMA is two flops) x 2
// FMA units per core (server cores with AVX-512 have two; an assumption, as
// cpuinfo does not say).
double theoretical_peak_gflops(int cores) {
  const double mhz = std::atof(cpuinfo_field("cpu MHz").c_str());
  return cores * mhz / 1000.0 * fp32_lanes(cpu_flags()) * 2 * 2;
}

EfficientNetB0 random_model() { return popsweep::nets::load_efficientnet_b0("random", 0, torch::kCPU); }

torch::Tensor images(std::int64_t count) {
  torch::manual_seed(1);
  return torch::randn({count, 3, kImageSize, kImageSize});
}

double measured_multiply_adds_per_image(const EfficientNetB0& model);

void print_machine() {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  const auto flags = cpu_flags();
  std::string simd;
  for (const char* flag : {"avx2", "fma", "avx512f", "avx512bw", "avx512_vnni", "avx512_bf16", "avx512_fp16",
                           "amx_tile", "amx_bf16"}) {
    if (flags.count(flag)) simd += std::string(simd.empty() ? "" : " ") + flag;
  }
  std::printf("## Machine\n\n| | |\n|---|---|\n");
  std::printf("| CPU | %s |\n| cores (hardware threads) | %d |\n| clock (cpu MHz) | %s |\n", cpuinfo_field("model name").c_str(),
              cores, cpuinfo_field("cpu MHz").c_str());
  std::printf("| SIMD | %d-bit fp32 vectors (%d lanes); flags: %s |\n", fp32_lanes(flags) * 32, fp32_lanes(flags),
              simd.c_str());
  std::printf("| theoretical fp32 peak | %.0f GFLOP/s (cores x clock x %d lanes x 2 flops per FMA x 2 FMA units, "
              "assumed) |\n",
              theoretical_peak_gflops(cores), fp32_lanes(flags));
  std::printf("| oneDNN (at::hasMKLDNN) | %s, enabled for convs: %s |\n", at::hasMKLDNN() ? "yes" : "no",
              at::globalContext().userEnabledMkldnn() ? "yes" : "no");
  std::printf("| MKL (at::hasMKL) | %s (GEMMs outside oneDNN use the system BLAS) |\n", at::hasMKL() ? "yes" : "no");
  std::printf("| intra-op threads at start | %d |\n\n", at::get_num_threads());
}

void print_macs() {
  const EfficientNetB0 model = random_model();
  const FrozenEfficientNetB0 frozen(model);
  popsweep::bench::LayerRecorder recorder(popsweep::bench::frozen_conv_order(model));
  recorder.begin_pass();
  frozen.embed(images(1));
  const auto& profile = recorder.profile();
  double total = 0;
  for (const auto& [part, totals] : profile.by_part) total += totals.multiply_adds;
  std::printf("## Multiply-adds per 224x224 image (frozen path, from the conv2d/linear argument shapes)\n\n");
  std::printf("| block | MMAC | %% |\n|---|---|---|\n");
  for (const std::string& block : profile.block_order) {
    const double macs = profile.by_block.at(block).multiply_adds;
    if (macs > 0) std::printf("| %s | %.2f | %.1f |\n", block.c_str(), macs / 1e6, 100 * macs / total);
  }
  std::printf("| **total** | **%.2f** | 100 |\n\n", total / 1e6);
  std::printf("| part | MMAC | %% |\n|---|---|---|\n");
  for (const auto& [part, totals] : profile.by_part) {
    if (totals.multiply_adds > 0)
      std::printf("| %s | %.2f | %.1f |\n", part.c_str(), totals.multiply_adds / 1e6, 100 * totals.multiply_adds / total);
  }
  // The classifier (1280 x 1000) is not run by embed(); torchvision's count includes it.
  std::printf("\nTotal %.4f GMAC without the classifier, %.4f GMAC with its 1280x1000 linear "
              "(published: ~0.39 G).\n\n",
              total / 1e9, (total + 1280.0 * 1000) / 1e9);
}

void print_peak() {
  std::printf("## Achievable fp32 peak\n\n| kernel | threads | GFLOP/s (median of %d) |\n|---|---|---|\n", kRuns);
  torch::manual_seed(2);
  const std::int64_t n = 1024;
  const torch::Tensor a = torch::randn({n, n}), b = torch::randn({n, n});
  // A 1x1 conv over 1024 pixels is a [1024 x 1024] x [1024 x 1024] GEMM. As
  // one 32x32 image it takes ATen's own path (im2col + the system BLAS) when
  // single-threaded, as 16 images of 8x8 it goes to oneDNN: ATen sends 1x1
  // convs to oneDNN only with a batch of 16+ or more than one thread.
  const torch::Tensor one_map = torch::randn({1, n, 32, 32}).contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor batch_map = torch::randn({16, n, 8, 8}).contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor weight = torch::randn({n, n, 1, 1}).contiguous(torch::MemoryFormat::ChannelsLast);
  const double flops = 2.0 * n * n * n;
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    c10::InferenceMode inference;
    const double mm = median_seconds([&] { at::mm(a, b); });
    std::printf("| at::mm %ldx%ld (system BLAS) | %d | %.1f |\n", static_cast<long>(n), static_cast<long>(n),
                threads, flops / mm / 1e9);
    const double one = median_seconds([&] { at::conv2d(one_map, weight); });
    std::printf("| conv2d 1x1 1024->1024, 1 image of 32x32, channels-last | %d | %.1f |\n", threads,
                flops / one / 1e9);
    const double batched = median_seconds([&] { at::conv2d(batch_map, weight); });
    std::printf("| conv2d 1x1 1024->1024, 16 images of 8x8, channels-last (oneDNN GEMM) | %d | %.1f |\n", threads,
                flops / batched / 1e9);
  }
  std::printf("\n");
}

struct Variant {
  const char* name;
  std::function<void(const torch::Tensor&)> run;
};

void print_sweep() {
  const EfficientNetB0 model = random_model();
  const FrozenEfficientNetB0 channels_last(model, FrozenBackboneOptions{torch::kCPU, true});
  const FrozenEfficientNetB0 contiguous(model, FrozenBackboneOptions{torch::kCPU, false});
  EfficientNetB0 unfolded = model;  // eval mode already; batch norms run as such
  const std::vector<Variant> variants = {
      {"folded BN, channels-last (extractor's path)", [&](const torch::Tensor& x) { channels_last.embed(x); }},
      {"folded BN, contiguous", [&](const torch::Tensor& x) { contiguous.embed(x); }},
      {"unfolded BN (nn module), contiguous",
       [&](const torch::Tensor& x) {
         c10::InferenceMode inference;
         unfolded->embed(x);
       }},
  };
  const double gmac = measured_multiply_adds_per_image(model) / 1e9;
  const double peak2 = theoretical_peak_gflops(2), peak1 = theoretical_peak_gflops(1);
  const torch::Tensor all = images(64);
  std::printf("## Frozen backbone throughput (images/s, median of %d; %% of theoretical peak at %.4f GMAC/image)\n\n",
              kRuns, gmac);
  std::printf("| variant | threads | batch 1 | batch 8 | batch 16 | batch 32 | batch 64 |\n|---|---|---|---|---|---|---|\n");
  for (const Variant& variant : variants) {
    for (int threads : {1, 2}) {
      at::set_num_threads(threads);
      std::string row = std::string("| ") + variant.name + " | " + std::to_string(threads);
      for (std::int64_t batch : {1, 8, 16, 32, 64}) {
        const torch::Tensor x = all.slice(0, 0, batch).clone();
        const double seconds = median_seconds([&] { variant.run(x); });
        const double per_second = batch / seconds;
        char cell[64];
        std::snprintf(cell, sizeof cell, " | %.1f (%.1f%%)", per_second,
                      100 * per_second * gmac * 2 / (threads == 1 ? peak1 : peak2));
        row += cell;
      }
      std::printf("%s |\n", row.c_str());
      std::fflush(stdout);
    }
  }
  std::printf("\n");
}

double measured_multiply_adds_per_image(const EfficientNetB0& model) {
  const FrozenEfficientNetB0 frozen(model);
  popsweep::bench::LayerRecorder recorder(popsweep::bench::frozen_conv_order(model));
  recorder.begin_pass();
  frozen.embed(images(1));
  double total = 0;
  for (const auto& [part, totals] : recorder.profile().by_part) total += totals.multiply_adds;
  return total;
}

void print_layers() {
  const EfficientNetB0 model = random_model();
  const FrozenEfficientNetB0 frozen(model);
  const std::int64_t batch = 32;
  const torch::Tensor x = images(batch);
  for (int threads : {2, 1}) {
    at::set_num_threads(threads);
    frozen.embed(x);  // warm-up, unrecorded
    // One recorder per run, so every block's time is a median over runs.
    std::vector<popsweep::bench::LayerProfile> runs;
    for (int run = 0; run < kRuns; ++run) {
      popsweep::bench::LayerRecorder recorder(popsweep::bench::frozen_conv_order(model));
      recorder.begin_pass();
      frozen.embed(x);
      runs.push_back(recorder.profile());
    }
    const auto median_of = [&](const std::function<double(const popsweep::bench::LayerProfile&)>& get) {
      std::vector<double> values;
      for (const auto& run : runs) values.push_back(get(run));
      return median(values);
    };
    double total_seconds = 0;
    for (const auto& [block, totals] : runs[0].by_block) total_seconds += median_of([&](const auto& p) {
      return p.by_block.count(block) ? p.by_block.at(block).seconds : 0.0;
    });
    std::printf("## Time per block, frozen path, batch %ld, %d thread(s) (median of %d; sum %.3f s)\n\n",
                static_cast<long>(batch), threads, kRuns, total_seconds);
    std::printf("| block | ms | %% of time | MMAC/image | %% of MACs | GFLOP/s |\n|---|---|---|---|---|---|\n");
    double total_macs = 0;
    for (const auto& [block, totals] : runs[0].by_block) total_macs += totals.multiply_adds;
    for (const std::string& block : runs[0].block_order) {
      const double seconds = median_of([&](const auto& p) { return p.by_block.at(block).seconds; });
      const double macs = runs[0].by_block.at(block).multiply_adds;
      std::printf("| %s | %.1f | %.1f | %.2f | %.1f | %.1f |\n", block.c_str(), seconds * 1e3,
                  100 * seconds / total_seconds, macs / batch / 1e6, 100 * macs / total_macs,
                  2 * macs / seconds / 1e9);
    }
    std::printf("\n| part (all blocks) | ms | %% of time | %% of MACs | GFLOP/s |\n|---|---|---|---|---|\n");
    for (const auto& [part, totals] : runs[0].by_part) {
      const double seconds = median_of([&](const auto& p) { return p.by_part.count(part) ? p.by_part.at(part).seconds : 0.0; });
      std::printf("| %s | %.1f | %.1f | %.1f | %.1f |\n", part.c_str(), seconds * 1e3, 100 * seconds / total_seconds,
                  100 * totals.multiply_adds / total_macs, 2 * totals.multiply_adds / seconds / 1e9);
    }
    std::printf("\n");
    std::fflush(stdout);
  }
}

// bf16: the nn module cast to bfloat16 (the frozen path folds into fp32 and
// has no dtype option), inputs cast too, channels-last; compared with the same
// module in fp32 and with the extractor's fp32 path.
void print_bf16() {
  const EfficientNetB0 model = random_model();
  const FrozenEfficientNetB0 frozen(model);
  EfficientNetB0 fp32 = random_model();
  EfficientNetB0 bf16 = random_model();
  bf16->to(torch::kBFloat16);
  const std::int64_t batch = 32;
  const torch::Tensor x = images(batch).contiguous(torch::MemoryFormat::ChannelsLast);
  const torch::Tensor x16 = x.to(torch::kBFloat16).contiguous(torch::MemoryFormat::ChannelsLast);
  std::printf("## bf16 inference, batch %ld (images/s, median of %d)\n\n", static_cast<long>(batch), kRuns);
  std::printf("| path | threads | images/s |\n|---|---|---|\n");
  torch::Tensor reference, module_fp32, reduced;
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    c10::InferenceMode inference;
    const double folded = median_seconds([&] { reference = frozen.embed(x); });
    const double plain = median_seconds([&] { module_fp32 = fp32->embed(x); });
    const double half = median_seconds([&] { reduced = bf16->embed(x16); });
    std::printf("| fp32, folded BN, channels-last (extractor's path) | %d | %.1f |\n", threads, batch / folded);
    std::printf("| fp32, nn module, channels-last input | %d | %.1f |\n", threads, batch / plain);
    std::printf("| bf16, nn module cast to kBFloat16, channels-last input | %d | %.1f |\n", threads, batch / half);
    std::fflush(stdout);
  }
  const auto relative = [](const torch::Tensor& a, const torch::Tensor& b) {
    const torch::Tensor diff = (a.to(torch::kFloat64) - b.to(torch::kFloat64)).norm(2, {1});
    return (diff / b.to(torch::kFloat64).norm(2, {1})).max().item<double>();
  };
  // By hand: random-weight features are ~1e-13, below cosine_similarity's eps.
  const auto cosine = [](const torch::Tensor& a, const torch::Tensor& b) {
    const torch::Tensor a64 = a.to(torch::kFloat64), b64 = b.to(torch::kFloat64);
    return ((a64 * b64).sum(1) / (a64.norm(2, {1}) * b64.norm(2, {1}))).min().item<double>();
  };
  const auto elementwise = [](const torch::Tensor& a, const torch::Tensor& b) {
    const torch::Tensor b64 = b.to(torch::kFloat64);
    return ((a.to(torch::kFloat64) - b64).abs().amax(1) / b64.abs().amax(1)).max().item<double>();
  };
  std::printf("\n| comparison over %ld images | max relative L2 difference per image | max abs difference / max |ref| "
              "| min cosine similarity |\n|---|---|---|---|\n",
              static_cast<long>(batch));
  std::printf("| fp32 nn module vs extractor's folded path | %.2e | %.2e | %.8f |\n", relative(module_fp32, reference),
              elementwise(module_fp32, reference), cosine(module_fp32, reference));
  std::printf("| bf16 nn module vs extractor's folded path | %.2e | %.2e | %.8f |\n\n", relative(reduced, reference),
              elementwise(reduced, reference), cosine(reduced, reference));
}

// The extractor's path at batch 32 with oneDNN used for convs or not.
void print_onednn_rows(bool enabled) {
  const EfficientNetB0 model = random_model();
  const FrozenEfficientNetB0 frozen(model);
  const std::int64_t batch = 32;
  const torch::Tensor x = images(batch);
  at::globalContext().setUserEnabledMkldnn(enabled);
  for (int threads : {1, 2}) {
    at::set_num_threads(threads);
    const double seconds = median_seconds([&] { frozen.embed(x); });
    std::printf("| %s | %d | %.1f |\n", enabled ? "on (default)" : "off (setUserEnabledMkldnn(false))", threads,
                batch / seconds);
    std::fflush(stdout);
  }
  at::globalContext().setUserEnabledMkldnn(true);
}

void print_table_head() {
  std::printf("## oneDNN on and off, extractor's path, batch 32 (images/s, median of %d)\n\n", kRuns);
  std::printf("| oneDNN for convs | threads | images/s |\n|---|---|---|\n");
}

void print_mkldnn() {
  print_table_head();
  print_onednn_rows(true);
  print_onednn_rows(false);
  std::printf("\n");
}

// Only the "on" rows: for runs under ONEDNN_MAX_CPU_ISA, where "off" would
// repeat the same ATen kernels.
void print_onednn() {
  print_table_head();
  print_onednn_rows(true);
  std::printf("\n");
}

// One small conv, so that ONEDNN_VERBOSE=1 makes oneDNN print the ISA it uses.
void touch_onednn() {
  c10::InferenceMode inference;
  // Large enough (over 20480 input values) that ATen hands it to oneDNN.
  at::conv2d(torch::randn({1, 64, 32, 32}), torch::randn({64, 64, 3, 3}));
}

}  // namespace

int main(int argc, char** argv) {
  const std::set<std::string> known = {"machine", "macs",   "peak",   "sweep", "layers",
                                       "bf16",    "mkldnn", "onednn", "isa"};
  std::set<std::string> wanted(argv + 1, argv + argc);
  for (const std::string& section : wanted) {
    if (!known.count(section)) {
      std::fprintf(stderr, "unknown section '%s' (known: machine macs peak sweep layers bf16 mkldnn onednn isa)\n",
                   section.c_str());
      return 2;
    }
  }
  const auto run = [&](const char* section, void (*print)()) {
    if (wanted.empty() || wanted.count(section)) {
      const int threads = at::get_num_threads();
      print();
      at::set_num_threads(threads);
      std::fflush(stdout);
    }
  };
  run("machine", print_machine);
  run("macs", print_macs);
  run("peak", print_peak);
  run("sweep", print_sweep);
  run("layers", print_layers);
  run("bf16", print_bf16);
  run("mkldnn", print_mkldnn);
  if (wanted.count("onednn")) print_onednn();
  if (wanted.count("isa")) touch_onednn();
  return 0;
}
