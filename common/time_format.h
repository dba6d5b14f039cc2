// Timestamps are Unix seconds (UTC) everywhere inside popsweep. These helpers
// convert to and from ISO 8601 text, the only time format of our inputs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace popsweep {

using UnixSeconds = std::int64_t;

constexpr UnixSeconds kSecondsPerDay = 86400;
constexpr UnixSeconds kSecondsPerWeek = 7 * kSecondsPerDay;

// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" (a space may replace the
// T) with an optional "Z" or "+HH:MM"/"-HH:MM"/"+HHMM" offset; no zone means
// UTC. Fractional seconds are truncated. Returns nullopt and sets `why` on
// malformed text or out-of-range fields.
std::optional<UnixSeconds> parse_iso8601(const std::string& text, std::string* why = nullptr);

// "YYYY-MM-DDTHH:MM:SSZ".
std::string format_iso8601(UnixSeconds t);

// Days since 1970-01-01 of a proleptic Gregorian date, and back.
std::int64_t days_from_civil(int year, unsigned month, unsigned day);
void civil_from_days(std::int64_t days, int* year, unsigned* month, unsigned* day);

}  // namespace popsweep
