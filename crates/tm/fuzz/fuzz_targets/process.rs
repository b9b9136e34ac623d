//! Fuzz target: any bytes, as a packet, through the cFS and PUS-C test models and the Yamcs PUS
//! example (whose time is a CUC code sized by the P-field in the data), identified and decoded
//! as every container by name, through both the fast and the general path: never a panic,
//! nothing appended on error, and the two paths agree.
//!
//! The Yamcs example comes from the real material (`$GROUNDPLANE_REAL_DIR`, or `../shared/real`
//! beside the repository); missing material fails loudly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model_import::{SourceFile, SourceKind};
use std::sync::OnceLock;
use tm::{Plan, Processor};

fn plans() -> &'static [(Plan, Plan)] {
    static PLANS: OnceLock<Vec<(Plan, Plan)>> = OnceLock::new();
    PLANS.get_or_init(|| {
        let test_models = [
            ("cfe_hk.xml", include_str!("../../test_data/cfs/cfe_hk.xml")),
            ("pus_c.xml", include_str!("../../test_data/satrs/pus_c.xml")),
        ]
        .iter()
        .map(|(name, text)| SourceFile::new(*name, text.as_bytes()));
        let mut models: Vec<_> = test_models
            .map(|file| model_import::xtce::import(&[file]).expect("the test models import").model)
            .collect();
        let (dir, names) = test_utils::PUS_EXAMPLE;
        let files: Vec<SourceFile> =
            test_utils::real_files(dir, &names).into_iter().map(|(path, bytes)| SourceFile::new(path, bytes)).collect();
        let pus = model_import::import(SourceKind::Xtce, &files).unwrap_or_else(|report| panic!("{report}"));
        models.push(pus.model);
        models
            .iter()
            .map(|model| {
                let plan = Plan::compile(model).expect("the models compile");
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
