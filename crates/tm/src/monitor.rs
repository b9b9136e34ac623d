//! Limit checking: the monitoring result of an engineering value.

use model::{AlarmLevel, AlarmRanges, EnumAlarm, Range};

/// A range's inclusive bounds: an exclusive bound moves to the next float inward and a missing
/// one is infinite, so `lo <= x <= hi` decides (and a NaN is inside no range). The fast path
/// precomputes these; both paths judge alike.
pub(crate) fn inclusive_bounds(range: &Range) -> (f64, f64) {
    let lo = match range.min {
        None => f64::NEG_INFINITY,
        Some(min) if range.min_inclusive => min,
        Some(min) => min.next_up(),
    };
    let hi = match range.max {
        None => f64::INFINITY,
        Some(max) if range.max_inclusive => max,
        Some(max) => max.next_down(),
    };
    (lo, hi)
}

/// An alarm's ranges, most severe first.
pub(crate) fn by_severity(ranges: &AlarmRanges) -> [(AlarmLevel, &Option<Range>); 5] {
    [
        (AlarmLevel::Severe, &ranges.severe),
        (AlarmLevel::Critical, &ranges.critical),
        (AlarmLevel::Distress, &ranges.distress),
        (AlarmLevel::Warning, &ranges.warning),
        (AlarmLevel::Watch, &ranges.watch),
    ]
}

fn inside(range: &Range, value: f64) -> bool {
    let (lo, hi) = inclusive_bounds(range);
    value >= lo && value <= hi
}

/// The most severe level whose in-limits range `value` is outside of; `Normal` when inside
/// all of them. A NaN is outside every range.
pub fn check_ranges(ranges: &AlarmRanges, value: f64) -> AlarmLevel {
    by_severity(ranges)
        .into_iter()
        .find(|(_, range)| range.as_ref().is_some_and(|range| !inside(range, value)))
        .map_or(AlarmLevel::Normal, |(level, _)| level)
}

/// The level of an enumeration label.
pub fn check_enumeration(alarm: &EnumAlarm, label: &str) -> AlarmLevel {
    alarm.labels.iter().find(|(l, _)| l == label).map_or(alarm.default_level, |(_, level)| *level)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_by_severity() {
        let ranges = AlarmRanges {
            warning: Some(Range::inclusive(Some(1000.0), Some(120_000.0))),
            critical: Some(Range {
                min: Some(0.0),
                max: None,
                min_inclusive: false,
                max_inclusive: true,
                calibrated: true,
            }),
            ..AlarmRanges::default()
        };
        assert_eq!(check_ranges(&ranges, 5000.0), AlarmLevel::Normal);
        assert_eq!(check_ranges(&ranges, 1000.0), AlarmLevel::Normal);
        assert_eq!(check_ranges(&ranges, 999.0), AlarmLevel::Warning);
        assert_eq!(check_ranges(&ranges, 0.0), AlarmLevel::Critical);
        assert_eq!(check_ranges(&ranges, f64::NAN), AlarmLevel::Critical);
        assert_eq!(check_ranges(&AlarmRanges::default(), 1.0), AlarmLevel::Normal);
    }

    #[test]
    fn enumeration_levels() {
        let alarm =
            EnumAlarm { default_level: AlarmLevel::Normal, labels: vec![("FAULT".into(), AlarmLevel::Critical)] };
        assert_eq!(check_enumeration(&alarm, "FAULT"), AlarmLevel::Critical);
        assert_eq!(check_enumeration(&alarm, "OK"), AlarmLevel::Normal);
    }
}
