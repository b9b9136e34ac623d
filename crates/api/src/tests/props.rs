//! Whatever the query string, the answer is 2xx or 4xx with an `error`, never a 5xx or a panic.

use super::*;
use proptest::prelude::*;

const KEYS: [&str; 14] = [
    "from",
    "to",
    "limit",
    "cursor",
    "apid",
    "buckets",
    "parameter",
    "parameters",
    "names",
    "format",
    "min_level",
    "min_severity",
    "pattern",
    "bogus",
];
const PATHS: [&str; 9] = [
    "status",
    "parameters",
    "parameters/latest",
    "samples",
    "samples/buckets",
    "units",
    "events",
    "alarms",
    "alarms/open",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>().prop_map(|n| n.to_string()),
        "-?[0-9]{0,25}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,10})?(Z|[+-][0-9]{2}:[0-9]{2})?",
        Just("csv".to_string()),
        Just("BAT/V".to_string()),
        ".{0,20}",
    ]
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn any_query_is_answered_without_5xx(
        path in 0..PATHS.len(),
        pairs in proptest::collection::vec((0..KEYS.len(), value()), 0..5),
        raw_tail in prop_oneof![Just(String::new()), "[&=%a-z0-9]{0,12}"],
    ) {
        let query: Vec<String> = pairs.iter().map(|(key, value)| format!("{}={}", KEYS[*key], encode(value))).collect();
        let uri = format!("/api/missions/sentinel-x/envs/dev/{}?{}&{raw_tail}", PATHS[path], query.join("&"));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a test runtime");
        let reply = runtime.block_on(async {
            let (router, _) = open_app();
            get(&router, &uri).await
        });
        prop_assert!((200..500).contains(&reply.status), "{uri}: {reply}");
        if reply.status >= 400 {
            prop_assert!(reply.json()["error"].is_string(), "{uri}: {reply}");
        }
    }
}
