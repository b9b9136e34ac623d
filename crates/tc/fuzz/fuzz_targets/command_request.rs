//! Fuzz target: any bytes as the body of a command request from the API. JSON with a string
//! `command` and an object `arguments` goes through `tc::request::arguments_from_json`, then
//! `tc::args::check` and `tc::encode::encode` against two real models (the Yamcs PUS example
//! and the SpacePy MIB); a PUS-C packet that comes out must parse back with
//! `tc::pus::parse_pus_tc` and rebuild to the same bytes. Nothing may panic.
//!
//! The models come from the real material (`$GROUNDPLANE_REAL_DIR`, or `../shared/real`
//! beside the repository), imported once; missing material fails loudly.
#![no_main]

use libfuzzer_sys::fuzz_target;
use model::{MissionModel, QualifiedName};
use model_import::{SourceFile, SourceKind};
use serde_json::Value;
use std::sync::OnceLock;

fn import(kind: SourceKind, (dir, names): (&str, &[&str])) -> MissionModel {
    let files: Vec<SourceFile> =
        test_utils::real_files(dir, names).into_iter().map(|(path, bytes)| SourceFile::new(path, bytes)).collect();
    model_import::import(kind, &files).unwrap_or_else(|report| panic!("the real model must import: {report}")).model
}

fn models() -> &'static [MissionModel] {
    static MODELS: OnceLock<Vec<MissionModel>> = OnceLock::new();
    MODELS.get_or_init(|| {
        let (pus_dir, pus_names) = test_utils::PUS_EXAMPLE;
        let (mib_dir, mib_names) = test_utils::SPACEPY_MIB;
        vec![import(SourceKind::Xtce, (pus_dir, &pus_names)), import(SourceKind::Mib, (mib_dir, &mib_names))]
    })
}

fuzz_target!(|data: &[u8]| {
    let models = models();
    let Ok(Value::Object(request)) = serde_json::from_slice::<Value>(data) else { return };
    let (Some(Value::String(command)), Some(Value::Object(arguments))) =
        (request.get("command"), request.get("arguments"))
    else {
        return;
    };
    let Ok(given) = tc::request::arguments_from_json(arguments) else { return };
    let Some(command) = QualifiedName::parse(command) else { return };
    for model in models {
        let Ok(checked) = tc::args::check(model, &command, &given) else { continue };
        let Ok(encoded) = tc::encode::encode(model, &checked) else { continue };
        if !encoded.packet.as_ref().is_some_and(|packet| packet.crc) {
            continue;
        }
        let view = tc::pus::parse_pus_tc(&encoded.bytes).expect("an encoded PUS-C command parses");
        let again = tc::pus::pus_tc(
            view.apid,
            view.sequence_count,
            view.service,
            view.subtype,
            view.source_id,
            view.ack_flags,
            &view.app_data,
        );
        assert_eq!(
            again.as_deref().ok(),
            Some(encoded.bytes.as_slice()),
            "an encoded PUS-C command rebuilds identically"
        );
    }
});
