// `extract`'s progress: the line's arithmetic worked out by hand, a bar
// redrawn in place on a terminal and rate-limited plain lines otherwise.
#include "orchestrator/count_progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace popsweep::orchestrator {
namespace {

TEST(CountProgress, LineShowsCountRateAndEta) {
  // 50 of 200 in 2 s: 25 per second, 150 left, 6 s to go; 10 cells * 50/200 = 2.5, rounded to 3.
  EXPECT_EQ(CountProgress::format_line(50, 200, 2.0, "media", 10), "[==>       ] 50/200 media, 25.0 media/s, ETA 6 s");
  EXPECT_EQ(CountProgress::format_line(200, 200, 8.0, "media", 4), "[====] 200/200 media, 25.0 media/s");
  EXPECT_EQ(CountProgress::format_line(0, 200, 0.0, "media", 0), "0/200 media");
  EXPECT_EQ(CountProgress::format_line(7, 0, 1.0, "media", 0), "7 media, 7.0 media/s");  // total unknown
}

TEST(CountProgress, TerminalRedrawsOneLineInPlace) {
  std::ostringstream out;
  CountProgress progress(out, "extract", "media", /*terminal=*/true);
  progress.set_total(4);
  progress.update(1);
  progress.update(2);
  progress.finish();
  const std::string text = out.str();
  EXPECT_EQ(text.find("\r"), 0u);
  EXPECT_NE(text.find("1/4 media"), std::string::npos);
  EXPECT_NE(text.find("2/4 media"), std::string::npos);
  EXPECT_EQ(text.find('\n'), text.size() - 1) << "one line in all: " << text;
  EXPECT_NE(text.find("extract: 2 media in "), std::string::npos);
}

TEST(CountProgress, LogsArePlainLinesNoMoreOftenThanTheInterval) {
  std::ostringstream out;
  CountProgress progress(out, "extract", "media", /*terminal=*/false, std::chrono::hours(1));
  progress.set_total(3);
  for (long done = 1; done <= 3; ++done) progress.update(done);
  progress.finish();
  // No interval passed: only the closing line.
  EXPECT_EQ(out.str().find('\r'), std::string::npos);
  EXPECT_EQ(out.str().rfind("extract: 3 media in ", 0), 0u) << out.str();

  std::ostringstream every;
  CountProgress chatty(every, "extract", "media", /*terminal=*/false, std::chrono::milliseconds(0));
  chatty.set_total(2);
  chatty.update(1);
  chatty.update(2);
  EXPECT_EQ(every.str().rfind("extract: 1/2 media", 0), 0u) << every.str();
  EXPECT_NE(every.str().find("\nextract: 2/2 media"), std::string::npos) << every.str();
}

}  // namespace
}  // namespace popsweep::orchestrator
