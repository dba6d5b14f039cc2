// Each subcommand registers its options and a callback that calls one library
// function; parsing lives here, work lives in the library.
#pragma once

namespace CLI {
class App;
}

namespace popsweep::app {

void add_synth_command(CLI::App& app);
void add_ingest_command(CLI::App& app);
void add_label_command(CLI::App& app);
void add_context_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_embed_command(CLI::App& app);
void add_spec_command(CLI::App& app);
void add_worker_command(CLI::App& app);
void add_bench_command(CLI::App& app);
void add_status_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_doctor_command(CLI::App& app);
void add_extract_command(CLI::App& app);
void add_dedup_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_models_command(CLI::App& app);
void add_weights_command(CLI::App& app);
void add_classify_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_explain_command(CLI::App& app);
void add_predict_command(CLI::App& app);
void add_export_command(CLI::App& app);

}  // namespace popsweep::app
