//! Fuzz target: any bytes, as a packet, through the cFS and PUS-C test models (identified, and
//! decoded as every container by name), through both the fast and the general path: never a
//! panic, nothing appended on error, and the two paths agree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_import::SourceFile;
use std::sync::OnceLock;
use tm::{Plan, Processor};

fn plans() -> &'static [(Plan, Plan)] {
    static PLANS: OnceLock<Vec<(Plan, Plan)>> = OnceLock::new();
    PLANS.get_or_init(|| {
        [
            ("cfe_hk.xml", include_str!("../../test_data/cfs/cfe_hk.xml")),
            ("pus_c.xml", include_str!("../../test_data/satrs/pus_c.xml")),
        ]
        .iter()
        .map(|(name, text)| {
            let imported = model_import::xtce::import(&[SourceFile::new(*name, text.as_bytes())])
                .expect("the test models import");
            let plan = Plan::compile(&imported.model).expect("the test models compile");
            (plan.clone(), plan.without_fast_path())
        })
        .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    for (fast, general) in plans() {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        let ra = Processor::new(fast).process(data, &mut a);
        let rb = Processor::new(general).process(data, &mut b);
        assert_eq!(ra.is_ok(), rb.is_ok(), "fast and general paths agree on {data:02x?}");
        if ra.is_err() {
            assert!(a.is_empty());
        } else {
            assert_eq!(a, b, "same samples");
        }
    }
});
