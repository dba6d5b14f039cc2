// popsweep: predict how popular an Instagram image or video will be on one
// profile, and run the experiments behind that prediction at scale.
#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
extern "C" {
#include <libavutil/log.h>
}

#include <cstdio>
#include <exception>

#include "app/commands.h"
#include "common/large_buffer_heap.h"
#include "orchestrator/launch.h"
#include "orchestrator/mpi_transport.h"

int main(int argc, char** argv) {
  popsweep::keep_large_buffers_on_the_heap();
  // Under mpirun/srun, MPI starts before anything else (and any thread).
  popsweep::orchestrator::MpiWorld* world = popsweep::orchestrator::start_mpi_if_launched(&argc, &argv);
  CLI::App app{"popsweep: popularity prediction for one Instagram profile, and the sweeps behind it"};
  app.require_subcommand(1);
  app.set_version_flag("--version", POPSWEEP_VERSION);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}));
  // Logs go to stderr, so stdout carries only results (CSV, JSON, tables)
  // that other programs may read.
  spdlog::set_default_logger(spdlog::stderr_color_mt("popsweep"));
  app.parse_complete_callback([&] {
    spdlog::set_level(spdlog::level::from_str(log_level));
    // libav's own complaints about a damaged file duplicate the one-line
    // error popsweep records for it; they show only when debugging.
    av_log_set_level(log_level == "debug" || log_level == "trace" ? AV_LOG_WARNING : AV_LOG_QUIET);
  });

  popsweep::app::add_synth_command(app);
  popsweep::app::add_ingest_command(app);
  popsweep::app::add_label_command(app);
  popsweep::app::add_context_command(app);
  popsweep::app::add_demo_command(app);
  popsweep::app::add_embed_command(app);
  popsweep::app::add_spec_command(app);
  popsweep::app::add_worker_command(app);
  popsweep::app::add_bench_command(app);
  popsweep::app::add_status_command(app);
  popsweep::app::add_run_command(app);
  popsweep::app::add_doctor_command(app);
  popsweep::app::add_extract_command(app);
  popsweep::app::add_dedup_command(app);
  popsweep::app::add_train_command(app);
  popsweep::app::add_models_command(app);
  popsweep::app::add_weights_command(app);
  popsweep::app::add_classify_command(app);
  popsweep::app::add_report_command(app);
  popsweep::app::add_explain_command(app);
  popsweep::app::add_predict_command(app);
  popsweep::app::add_export_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    if (world && code != 0) world->abort_world("bad command line", code);
    popsweep::orchestrator::finish_mpi();
    return code;
  } catch (const std::exception& error) {
    // One clear line; the exception already names the file, line or field.
    // Under MPI one rank's error must not leave the others waiting forever.
    if (world) world->abort_world(error.what());
    std::fprintf(stderr, "popsweep: error: %s\n", error.what());
    return 1;
  }
  popsweep::orchestrator::finish_mpi();
  return 0;
}
