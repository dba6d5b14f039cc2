#include "common/time_format.h"

#include <gtest/gtest.h>

namespace popsweep {
namespace {

TEST(TimeFormat, ParsesDatesAndTimesAsUtc) {
  // 2021-03-04T05:06:07Z, computed by hand: 18690 days since the epoch.
  EXPECT_EQ(days_from_civil(2021, 3, 4), 18690);
  EXPECT_EQ(*parse_iso8601("2021-03-04"), 18690 * 86400);
  EXPECT_EQ(*parse_iso8601("2021-03-04T05:06:07"), 18690 * 86400 + 5 * 3600 + 6 * 60 + 7);
  EXPECT_EQ(*parse_iso8601("2021-03-04 05:06:07Z"), 18690 * 86400 + 5 * 3600 + 6 * 60 + 7);
  EXPECT_EQ(*parse_iso8601("1970-01-01T00:00:00Z"), 0);
}

TEST(TimeFormat, AppliesZoneOffsets) {
  EXPECT_EQ(*parse_iso8601("2021-03-04T07:06:07+02:00"), *parse_iso8601("2021-03-04T05:06:07Z"));
  EXPECT_EQ(*parse_iso8601("2021-03-04T00:00:00-0130"), *parse_iso8601("2021-03-04T01:30:00Z"));
  EXPECT_EQ(*parse_iso8601("2021-03-04T05:06:07.999Z"), *parse_iso8601("2021-03-04T05:06:07Z"));
}

TEST(TimeFormat, RejectsMalformedText) {
  std::string why;
  EXPECT_FALSE(parse_iso8601("2021-02-30", &why));
  EXPECT_NE(why.find("day out of range"), std::string::npos);
  EXPECT_FALSE(parse_iso8601("yesterday"));
  EXPECT_FALSE(parse_iso8601("2021-13-01"));
  EXPECT_FALSE(parse_iso8601("2021-01-01T25:00"));
  EXPECT_FALSE(parse_iso8601("2021-01-01T10:00 junk"));
  EXPECT_FALSE(parse_iso8601(""));
}

TEST(TimeFormat, LeapYearsFollowTheGregorianRule) {
  EXPECT_TRUE(parse_iso8601("2020-02-29"));
  EXPECT_TRUE(parse_iso8601("2000-02-29"));
  EXPECT_FALSE(parse_iso8601("1900-02-29"));
  EXPECT_FALSE(parse_iso8601("2021-02-29"));
}

TEST(TimeFormat, FormatsRoundTrip) {
  for (const UnixSeconds t : {UnixSeconds{0}, UnixSeconds{951782400}, UnixSeconds{1614834367},
                              UnixSeconds{-86401}}) {
    EXPECT_EQ(*parse_iso8601(format_iso8601(t)), t) << format_iso8601(t);
  }
  EXPECT_EQ(format_iso8601(1614834367), "2021-03-04T05:06:07Z");
}

}  // namespace
}  // namespace popsweep
