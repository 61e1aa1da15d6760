//! Time as an input: milliseconds since the Unix epoch, and local-calendar helpers.
//!
//! The engine never reads a clock. Every operation takes a [`Timestamp`]; tests fast-forward
//! by passing later timestamps. Local dates (special days, per-day limits, blackout windows)
//! are computed with a fixed UTC offset from the [`Policy`](crate::policy::Policy)
//! (`utc_offset_minutes`, default +08:00).

use core::fmt;

use serde::{Deserialize, Serialize};

const MS_PER_SEC: i64 = 1_000;
const MS_PER_MIN: i64 = 60_000;
const MS_PER_DAY: i64 = 86_400_000;

/// A point in time: milliseconds since 1970-01-01T00:00:00Z. Serialised as a plain integer.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// The Unix epoch.
    pub const EPOCH: Timestamp = Timestamp(0);

    /// From milliseconds since the epoch.
    pub const fn from_millis(ms: i64) -> Timestamp {
        Timestamp(ms)
    }

    /// Milliseconds since the epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// This time plus `secs` seconds (saturating; `secs` may be negative).
    pub const fn plus_secs(self, secs: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(secs.saturating_mul(MS_PER_SEC)))
    }

    /// This time plus `ms` milliseconds (saturating).
    pub const fn plus_millis(self, ms: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(ms))
    }

    /// This time plus `minutes` minutes (saturating).
    pub const fn plus_minutes(self, minutes: i64) -> Timestamp {
        Timestamp(self.0.saturating_add(minutes.saturating_mul(MS_PER_MIN)))
    }

    /// This time plus `hours` hours (saturating).
    pub const fn plus_hours(self, hours: i64) -> Timestamp {
        self.plus_minutes(hours.saturating_mul(60))
    }

    /// Milliseconds from `self` until `later` (negative if `later` is earlier), saturating.
    pub const fn millis_until(self, later: Timestamp) -> i64 {
        later.0.saturating_sub(self.0)
    }

    /// Whole seconds left from `self` until `deadline`, rounded up, never negative:
    /// what a countdown ring shows.
    pub fn secs_left_until(self, deadline: Timestamp) -> i64 {
        let ms = self.millis_until(deadline).max(0);
        ms / MS_PER_SEC + i64::from(ms % MS_PER_SEC != 0)
    }

    /// The time at a UTC civil date and time. Out-of-range fields are not rejected; they roll
    /// over arithmetically (month 13 is not meaningful — pass real dates).
    pub fn from_utc(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Timestamp {
        let days = days_from_civil(year, month, day);
        Timestamp(
            days.saturating_mul(MS_PER_DAY)
                .saturating_add(i64::from(hour) * 3_600_000)
                .saturating_add(i64::from(minute) * MS_PER_MIN)
                .saturating_add(i64::from(second) * MS_PER_SEC),
        )
    }

    /// The time at a local civil date and time at the given UTC offset in minutes
    /// (`480` for China Standard Time).
    pub fn from_local(
        year: i32,
        month: u8,
        day: u8,
        hour: u8,
        minute: u8,
        utc_offset_minutes: i32,
    ) -> Timestamp {
        Timestamp::from_utc(year, month, day, hour, minute, 0)
            .plus_minutes(-i64::from(utc_offset_minutes))
    }

    fn local_millis(self, utc_offset_minutes: i32) -> i64 {
        self.0
            .saturating_add(i64::from(utc_offset_minutes).saturating_mul(MS_PER_MIN))
    }

    /// The local day number (days since 1970-01-01 in local time): equal for two times on the
    /// same local calendar day. Used for per-day limits.
    pub fn local_day(self, utc_offset_minutes: i32) -> i64 {
        self.local_millis(utc_offset_minutes).div_euclid(MS_PER_DAY)
    }

    /// Minutes since local midnight, `0..1440`. Used for blackout windows.
    pub fn local_minute_of_day(self, utc_offset_minutes: i32) -> u32 {
        (self.local_millis(utc_offset_minutes).rem_euclid(MS_PER_DAY) / MS_PER_MIN) as u32
    }

    /// Local `(hour, minute)`, e.g. for "recalled by the sender at 14:03".
    pub fn local_hour_minute(self, utc_offset_minutes: i32) -> (u32, u32) {
        let m = self.local_minute_of_day(utc_offset_minutes);
        (m / 60, m % 60)
    }

    /// The local calendar date.
    pub fn local_date(self, utc_offset_minutes: i32) -> LocalDate {
        civil_from_days(self.local_day(utc_offset_minutes))
    }
}

impl fmt::Display for Timestamp {
    /// ISO 8601 in UTC with milliseconds, e.g. `2025-05-20T12:00:00.000Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.local_date(0);
        let ms = self.0.rem_euclid(MS_PER_DAY);
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            d.year,
            d.month,
            d.day,
            ms / 3_600_000,
            ms / MS_PER_MIN % 60,
            ms / MS_PER_SEC % 60,
            ms % MS_PER_SEC
        )
    }
}

/// A calendar date in the proleptic Gregorian calendar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalDate {
    /// Year, e.g. 2025.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31.
    pub day: u8,
}

/// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let m = i64::from(month);
    let y = i64::from(year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> LocalDate {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i64::from(month <= 2);
    LocalDate {
        year: year.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32,
        month,
        day,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in (-800_000..800_000).step_by(997) {
            let d = civil_from_days(days);
            assert_eq!(days_from_civil(d.year, d.month, d.day), days);
        }
        let t = Timestamp::from_utc(2025, 5, 19, 16, 0, 0);
        assert_eq!(
            t.local_date(480),
            LocalDate {
                year: 2025,
                month: 5,
                day: 20
            }
        );
        assert_eq!(t.local_minute_of_day(480), 0);
        assert_eq!(t.plus_minutes(843).local_hour_minute(480), (14, 3));
        assert_eq!(t.to_string(), "2025-05-19T16:00:00.000Z");
        assert_eq!(
            Timestamp(i64::MIN).local_date(480).month,
            Timestamp(i64::MIN).local_date(480).month
        );
    }
}
