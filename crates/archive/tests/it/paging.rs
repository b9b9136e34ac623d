//! Property tests: paging with any limit gives the same sequence as one big page and as a
//! brute-force sort; buckets equal a brute-force computation.

use crate::support::*;
use archive::Reader;
use model::AlarmLevel;
use proptest::prelude::*;
use tm::{EngValue, ParamId, Plan, RawValue, Sample};

/// (series 0..3, time step -1..=3, numeric or not) per sample.
fn samples_strategy() -> impl Strategy<Value = Vec<(usize, i64, bool)>> {
    prop::collection::vec((0usize..3, -1i64..=3, prop::bool::weighted(0.9)), 0..160)
}

/// (series, time, raw value) of a sample, as compared.
type Item = (String, u64, String);

const NAMES: [&str; 3] = ["/t/TEMP", "/t/COUNT", "/t/ARRAY[1]"];

fn sample(plan: &Plan, series: usize, value: i64, numeric: bool) -> Sample {
    let (parameter, element): (ParamId, u32) = match series {
        0 => (id(plan, "TEMP"), 0),
        1 => (id(plan, "COUNT"), 0),
        _ => (id(plan, "ARRAY"), 1),
    };
    let eng = if numeric { EngValue::Signed(value) } else { EngValue::Invalid };
    Sample::new(parameter, element, 0, RawValue::Signed(value), eng, AlarmLevel::Normal)
}

/// Writes the samples (value = arrival index) and returns (series, time, value) of each.
fn write(
    dir: &TempDir,
    samples: &[(usize, i64, bool)],
    segment_max: usize,
    commit_every: usize,
) -> Vec<(usize, u64, i64)> {
    let plan = plan();
    let mut writer = open(dir, segment_max);
    let mut time = 1000i64;
    let mut written = Vec::new();
    for (idx, &(series, step, numeric)) in samples.iter().enumerate() {
        time += step;
        let value = if numeric { idx as i64 * 37 % 101 - 50 } else { idx as i64 };
        writer.packet(&plan, time as u64, tm::ContainerId(0), &[], &[sample(&plan, series, value, numeric)]);
        written.push((series, time as u64, value));
        if (idx + 1) % commit_every == 0 {
            writer.commit().unwrap();
        }
    }
    writer.commit().unwrap();
    written
}

fn pages(reader: &Reader, names: &[String], from: u64, to: u64, limit: usize) -> Vec<Item> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let page = reader.range(names, from, to, cursor.as_deref(), limit).unwrap();
        assert!(page.items.len() <= limit);
        out.extend(page.items.iter().map(|s| (s.series.clone(), s.time_ms, format!("{:?}", s.raw))));
        match page.next {
            Some(next) => {
                assert!(next.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.'), "{next}");
                assert!(!page.items.is_empty());
                cursor = Some(next);
            }
            None => return out,
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn paging_gives_one_sequence_whatever_the_limit(
        samples in samples_strategy(),
        segment_max in 1usize..6,
        commit_every in 1usize..20,
        order in Just([2usize, 0, 1]).prop_shuffle(),
        from in 990u64..1100,
        span in 0u64..400,
    ) {
        let dir = TempDir::new("paging");
        let written = write(&dir, &samples, segment_max, commit_every);
        let reader = archive::reader(dir.path()).unwrap();
        let names: Vec<String> = order.iter().map(|&i| NAMES[i].to_string()).collect();
        let to = from + span;
        let mut expected: Vec<(u64, usize, usize, Item)> = written
            .iter()
            .enumerate()
            .filter(|(_, (_, time, _))| (from..to).contains(time))
            .map(|(arrival, &(series, time, value))| {
                let position = order.iter().position(|&i| i == series).unwrap();
                (time, position, arrival, (NAMES[series].to_string(), time, format!("{:?}", archive::StoredValue::Signed(value))))
            })
            .collect();
        expected.sort_by_key(|(time, position, arrival, _)| (*time, *position, *arrival));
        let expected: Vec<_> = expected.into_iter().map(|(.., item)| item).collect();
        let whole = pages(&reader, &names, from, to, 10_000);
        prop_assert_eq!(&whole, &expected);
        prop_assert_eq!(&pages(&reader, &names, from, to, 1), &expected);
        prop_assert_eq!(&pages(&reader, &names, from, to, 7), &expected);
    }

    #[test]
    fn buckets_equal_brute_force(
        samples in samples_strategy(),
        segment_max in 1usize..40,
        n in 1usize..20,
        from in 900u64..1100,
        span in 1u64..500,
    ) {
        let dir = TempDir::new("buckets");
        let written = write(&dir, &samples, segment_max, 50);
        let reader = archive::reader(dir.path()).unwrap();
        let to = from + span;
        let buckets = reader.buckets(NAMES[0], from, to, n).unwrap();
        prop_assert_eq!(buckets.len(), n);
        prop_assert_eq!(buckets[0].start_ms, from);
        prop_assert_eq!(buckets[n - 1].end_ms, to);
        for (k, bucket) in buckets.iter().enumerate() {
            if k > 0 {
                prop_assert_eq!(bucket.start_ms, buckets[k - 1].end_ms);
            }
            let values: Vec<f64> = written
                .iter()
                .zip(&samples)
                .filter(|((series, time, _), (_, _, numeric))| {
                    *series == 0 && *numeric && (bucket.start_ms..bucket.end_ms).contains(time)
                })
                .map(|((_, _, value), _)| *value as f64)
                .collect();
            let count = values.len() as u64;
            let sum: f64 = values.iter().sum();
            let expected = archive::Bucket {
                start_ms: bucket.start_ms,
                end_ms: bucket.end_ms,
                count,
                min: values.iter().copied().reduce(f64::min),
                max: values.iter().copied().reduce(f64::max),
                avg: (count > 0).then(|| sum / count as f64),
            };
            prop_assert_eq!(bucket, &expected);
        }
    }
}

#[test]
fn bad_cursors_and_limits_are_refused() {
    let dir = TempDir::new("badcursor");
    let plan = plan();
    let mut writer = open(&dir, 4);
    write_temps(&mut writer, &plan, &[(1, 1), (2, 2), (3, 3)], 1);
    let reader = archive::reader(dir.path()).unwrap();
    let names = vec!["/t/TEMP".to_string()];
    for bad in [
        "",
        "s",
        "s.1.2.3",
        "s.1.2.3.4.5",
        "u.1.2.3.4",
        "s.1.2.x.4",
        "s.-1.0.0.0",
        "s.+1.0.0.0",
        "s.99999999999999999999.0.0.0",
    ] {
        let result = reader.range(&names, 0, 10, Some(bad), 10);
        assert!(matches!(result, Err(archive::ArchiveError::BadCursor { .. })), "{bad:?}: {result:?}");
    }
    assert!(matches!(reader.range(&names, 0, 10, None, 0), Err(archive::ArchiveError::BadLimit)));
    assert!(matches!(reader.units(0, 10, None, None, 0), Err(archive::ArchiveError::BadLimit)));
    assert!(matches!(reader.buckets("/t/TEMP", 0, 10, 0), Err(archive::ArchiveError::BadBuckets { .. })));
    assert!(matches!(reader.buckets("/t/TEMP", 10, 10, 1), Err(archive::ArchiveError::BadRange { .. })));
    assert_eq!(reader.range(&names, 5, 5, None, 10).unwrap().items, Vec::new());
}
