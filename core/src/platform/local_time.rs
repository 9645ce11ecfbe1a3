//! The province's clock. Viet Nam keeps UTC+7 all year (no daylight saving) while servers usually run in
//! UTC, so the dates people read (an award's, a certificate's, "overdue" today) are taken in Viet Nam's time:
//! a certificate earned at 06:00 in Hà Nội is dated that day, not the day before.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

/// UTC+7.
pub fn offset() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// The date in Viet Nam at the moment `at`.
pub fn date_of(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&offset()).date_naive()
}

/// The moment `day` begins in Viet Nam: a record dated by day only (a renewal's certificate for a course
/// without a quiz) then reads as that day.
pub fn start_of(day: NaiveDate) -> DateTime<Utc> {
    (day.and_time(chrono::NaiveTime::MIN) - offset()).and_utc()
}

/// Today in Viet Nam.
pub fn today() -> NaiveDate {
    date_of(Utc::now())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_day_turns_at_midnight_in_viet_nam() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(date_of(at("2026-03-01T16:59:59Z")), day("2026-03-01"));
        assert_eq!(date_of(at("2026-03-01T17:00:00Z")), day("2026-03-02"), "midnight in Hà Nội");
        assert_eq!(date_of(at("2026-12-31T23:00:00Z")), day("2027-01-01"));
        assert_eq!(start_of(day("2026-03-02")), at("2026-03-01T17:00:00Z"));
        let now = Utc::now();
        assert!((today() - now.date_naive()).num_days().abs() <= 1);
    }
}
