//! Limit checking: the monitoring result of an engineering value.

use model::{AlarmLevel, AlarmRanges, EnumAlarm, Range};

fn inside(range: &Range, value: f64) -> bool {
    let above_min = match range.min {
        None => true,
        Some(min) if range.min_inclusive => value >= min,
        Some(min) => value > min,
    };
    let below_max = match range.max {
        None => true,
        Some(max) if range.max_inclusive => value <= max,
        Some(max) => value < max,
    };
    above_min && below_max
}

/// The most severe level whose in-limits range `value` is outside of; `Normal` when inside
/// all of them. A NaN is outside every range.
pub fn check_ranges(ranges: &AlarmRanges, value: f64) -> AlarmLevel {
    let levels = [
        (AlarmLevel::Severe, &ranges.severe),
        (AlarmLevel::Critical, &ranges.critical),
        (AlarmLevel::Distress, &ranges.distress),
        (AlarmLevel::Warning, &ranges.warning),
        (AlarmLevel::Watch, &ranges.watch),
    ];
    levels
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
