#include "worker/context/profile_time_zone.h"

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include <vector>

#include "common/error.h"

namespace popsweep::context {
namespace {

std::vector<UChar> to_utf16(const std::string& ascii) {
  std::vector<UChar> text(ascii.begin(), ascii.end());
  return text;
}

bool is_known_zone(const std::vector<UChar>& zone) {
  UChar canonical[128];
  UBool is_system_zone = false;
  UErrorCode status = U_ZERO_ERROR;
  ucal_getCanonicalTimeZoneID(zone.data(), static_cast<int32_t>(zone.size()), canonical, 128, &is_system_zone,
                              &status);
  // Custom offsets such as "GMT+03:00" parse but are not zones of the database.
  return U_SUCCESS(status) && is_system_zone;
}

}  // namespace

struct ProfileTimeZone::Calendar {
  UCalendar* handle = nullptr;
  ~Calendar() {
    if (handle) ucal_close(handle);
  }
};

std::string time_zone_problem(const std::string& name) {
  const bool printable_ascii = !name.empty() && name.size() < 100 &&
                               name.find_first_not_of(
                                   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                   "0123456789/_+-") == std::string::npos;
  if (printable_ascii && is_known_zone(to_utf16(name))) return "";
  return "'" + name +
         "' is not a time zone name of the IANA database (for example UTC, Europe/Rome, America/New_York)";
}

ProfileTimeZone::ProfileTimeZone(const std::string& name, const std::string& key)
    : name_(name), calendar_(std::make_unique<Calendar>()) {
  if (const std::string problem = time_zone_problem(name); !problem.empty())
    throw ConfigError(key + ": " + problem);
  const std::vector<UChar> zone = to_utf16(name);
  UErrorCode status = U_ZERO_ERROR;
  calendar_->handle =
      ucal_open(zone.data(), static_cast<int32_t>(zone.size()), "en_US_POSIX", UCAL_GREGORIAN, &status);
  if (U_FAILURE(status))
    throw ConfigError(key + ": ICU cannot open time zone '" + name + "': " + u_errorName(status));
}

ProfileTimeZone::~ProfileTimeZone() = default;

LocalTime ProfileTimeZone::local_time(UnixSeconds at) const {
  UErrorCode status = U_ZERO_ERROR;
  UCalendar* calendar = calendar_->handle;
  ucal_setMillis(calendar, static_cast<UDate>(at) * 1000.0, &status);
  const int hour = ucal_get(calendar, UCAL_HOUR_OF_DAY, &status);
  const int minute = ucal_get(calendar, UCAL_MINUTE, &status);
  const int second = ucal_get(calendar, UCAL_SECOND, &status);
  const int day = ucal_get(calendar, UCAL_DAY_OF_WEEK, &status);  // UCAL_SUNDAY = 1 ... UCAL_SATURDAY = 7
  if (U_FAILURE(status))
    throw Error("time zone " + name_ + ": ICU cannot convert time: " + u_errorName(status));
  LocalTime local;
  local.hour_of_day = hour + minute / 60.0 + second / 3600.0;
  local.weekday = (day + 5) % 7;
  return local;
}

}  // namespace popsweep::context
