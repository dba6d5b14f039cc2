#include "orchestrator/signals.h"

#include <signal.h>

#include <initializer_list>

namespace popsweep::orchestrator {
namespace {

// Signal handlers can only touch lock-free atomics; these are the process's
// one piece of global state, by the nature of signals.
std::atomic<bool> g_stop_requested{false};
std::atomic<int> g_stop_signal{0};

void on_stop_signal(int signal_number) {
  if (signal_number == SIGINT && g_stop_requested.load()) {
    ::signal(SIGINT, SIG_DFL);
    ::raise(SIGINT);
    return;
  }
  g_stop_signal = signal_number;
  g_stop_requested = true;
}

}  // namespace

const std::atomic<bool>& install_stop_signal_handlers() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (const int signal_number : {SIGTERM, SIGUSR1, SIGINT}) ::sigaction(signal_number, &action, nullptr);
  return g_stop_requested;
}

int stop_signal_received() { return g_stop_signal.load(); }

}  // namespace popsweep::orchestrator
