// The profile's time zone (an IANA name such as "Europe/Rome"), in which the
// hour of day and the weekday of a post are read. Backed by ICU's copy of the
// time zone database, so summer time and historical changes are followed.
#pragma once

#include <memory>
#include <string>

#include "common/time_format.h"

namespace popsweep::context {

struct LocalTime {
  double hour_of_day = 0;  // 0 <= h < 24, with minutes and seconds as fractions
  int weekday = 0;         // 0 Monday ... 6 Sunday
};

// Why `name` is not a time zone of the database ("" when it is one); the
// spec schema checks context.time_zone with it before any job runs.
std::string time_zone_problem(const std::string& name);

class ProfileTimeZone {
 public:
  // Throws ConfigError naming `key` (the spec key or flag that gave the name)
  // when `name` is not a time zone of the database.
  ProfileTimeZone(const std::string& name, const std::string& key);
  ~ProfileTimeZone();
  ProfileTimeZone(const ProfileTimeZone&) = delete;
  ProfileTimeZone& operator=(const ProfileTimeZone&) = delete;

  const std::string& name() const { return name_; }
  LocalTime local_time(UnixSeconds at) const;

 private:
  struct Calendar;
  std::string name_;
  std::unique_ptr<Calendar> calendar_;
};

}  // namespace popsweep::context
