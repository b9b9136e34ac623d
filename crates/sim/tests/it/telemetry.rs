//! Periodic telemetry decodes to its container, within limits.

use crate::{mib_config, mib_model, pus_config, pus_model};
use expect_test::{expect, Expect};
use model::{AlarmLevel, MissionModel};
use sim::{Scenario, SimConfig, Simulator};

/// What the simulator makes of a model: emitted containers, and skipped ones with reasons.
#[track_caller]
fn check_summary(model: &MissionModel, config: SimConfig, expect: Expect) {
    let simulator = Simulator::new(model, config).expect("simulator");
    let mut lines: Vec<String> = simulator.containers().iter().map(|c| format!("emits {c}")).collect();
    lines.extend(simulator.skipped().iter().map(|s| format!("skips {}: {}", s.container, s.reason)));
    expect.assert_eq(&(lines.join("\n") + "\n"));
}

/// Runs `seconds` of ticks and decodes every periodic packet; returns the packet count and
/// the samples that were not Normal, as text.
fn run(model: &MissionModel, simulator: &mut Simulator, seconds: u64) -> (usize, Vec<String>) {
    let plan = tm::Plan::compile(&decodable(model)).expect("plan");
    let mut processor = tm::Processor::new(&plan);
    let mut packets = 0;
    let mut abnormal = Vec::new();
    for second in 0..seconds {
        for emitted in simulator.tick_emitted(second * 1000) {
            let Some(container) = emitted.container else { continue };
            packets += 1;
            let mut samples = Vec::new();
            let decoded = processor.process(&emitted.bytes, &mut samples);
            let decoded = decoded.map(|id| plan.container_name(id).cloned());
            assert_eq!(decoded, Ok(Some(container.clone())), "packet {:02x?}", emitted.bytes);
            for sample in samples.iter().filter(|s| s.level != AlarmLevel::Normal) {
                let name = &plan.parameter(sample.parameter).expect("parameter").name;
                abnormal.push(format!("{second}s {name} {:?} {:?}", sample.raw(), sample.level));
            }
        }
    }
    (packets, abnormal)
}

/// The model `tm` decodes with: the real one. `tm` reads the Yamcs example's `PusTimeType`
/// (a Java `TimeBinaryDecoder`) natively, as a CUC code sized by the P-field the simulator
/// writes (0x2F: 4 coarse and 3 fine octets, as Yamcs's own simulator writes).
pub(crate) fn decodable(model: &MissionModel) -> MissionModel {
    model.clone()
}

#[test]
fn pus_example_containers() {
    check_summary(
        &pus_model(),
        pus_config(),
        expect![[r#"
        emits /PUS/hk25
        emits /PUS/pus-tc-ack-acceptance-failure
        emits /PUS/pus-tc-ack-completion-failure
        emits /PUS/pus-tc-ack-start-failure
        emits /PUS/pus-time
        emits /PUS17/are-you-alive-report
        emits /PUS5/event1
        skips /PUS/ccsds: it is the base of other containers
        skips /PUS/hk: it is the base of other containers
        skips /PUS/pus-tc-ack: it is the base of other containers
        skips /PUS/pus-tm: it is the base of other containers
        skips /PUS11/DETAIL_REPORT/DETAIL_REPORT: an entry repeats or has an include condition
        skips /PUS11/DETAIL_REPORT/DETAIL_REPORT_ELEMENT: it is included in other containers, not a packet
        skips /PUS11/SUBSCHEDULE_STATUS_REPORT: an array, group or container entry
        skips /PUS11/SUMMARY_REPORT/SUMMARY_REPORT: an entry repeats or has an include condition
        skips /PUS11/SUMMARY_REPORT/SUMMARY_REPORT_ELEMENT: it is included in other containers, not a packet
        skips /PUS11/pus11-tm: it is the base of other containers
        skips /PUS17/pus17-tm: it is the base of other containers
        skips /PUS5/event2: parameter `/PUS5/event2_msg` has no fixed-size encoding the simulator writes
        skips /PUS5/pus5-tm: it is the base of other containers
    "#]],
    );
}

#[test]
fn mib_containers() {
    check_summary(
        &mib_model(),
        mib_config(),
        expect![[r#"
        emits /MIB/ACK1
        emits /MIB/ACK2
        emits /MIB/ACK3
        emits /MIB/ACK4
        emits /MIB/NAK1
        emits /MIB/NAK2
        emits /MIB/NAK3
        emits /MIB/NAK4
        emits /MIB/TESTREP
        emits /MIB/TM_PKT1
        skips /MIB/TM_PKT0: an array, group or container entry
    "#]],
    );
}

#[test]
fn every_packet_decodes_within_limits() {
    for (model, config) in [(pus_model(), pus_config()), (mib_model(), mib_config())] {
        let mut simulator = Simulator::new(&model, config).expect("simulator");
        let n_containers = simulator.containers().len();
        let (packets, abnormal) = run(&model, &mut simulator, 60);
        assert!(packets >= n_containers * 60, "{packets} packets from {n_containers} containers");
        assert_eq!(abnormal, Vec::<String>::new());
    }
}

/// The Yamcs example with limits on `hkid` (no type of the real models has limits): a
/// warning range of 10..=1000 and a critical one of 0..=5000.
fn limited_model() -> MissionModel {
    let mut model = pus_model();
    let hkid = model::QualifiedName::parse("/PUS/hkid").expect("name");
    let limited = model::QualifiedName::parse("/PUS/limited_uint32").expect("name");
    let mut data_type = model.parameter_types[&model.parameters[&hkid].type_ref].clone();
    data_type.alarm = Some(model::Alarm::Ranges {
        min_violations: 1,
        ranges: model::AlarmRanges {
            warning: Some(model::Range::inclusive(Some(10.0), Some(1000.0))),
            critical: Some(model::Range::inclusive(Some(0.0), Some(5000.0))),
            ..Default::default()
        },
        delta: None,
    });
    model.parameter_types.insert(limited.clone(), data_type);
    model.parameters.get_mut(&hkid).expect("hkid").type_ref = limited;
    model
}

#[test]
fn values_stay_within_limits_until_a_scenario_sets_them() {
    let model = limited_model();
    let mut simulator = Simulator::new(&model, pus_config()).expect("simulator");
    let (packets, abnormal) = run(&model, &mut simulator, 20);
    assert!(packets > 0);
    assert_eq!(abnormal, Vec::<String>::new());
    let scenario = Scenario::parse("at 10s set /PUS/hkid = 2000\nat 12s clear /PUS/hkid").expect("scenario");
    let mut simulator = Simulator::new(&model, pus_config()).expect("simulator").with_scenario(scenario).expect("ok");
    let (_, abnormal) = run(&model, &mut simulator, 14);
    expect![[r#"
        [
            "10s /PUS/hkid Unsigned(2000) Warning",
            "11s /PUS/hkid Unsigned(2000) Warning",
        ]
    "#]]
    .assert_debug_eq(&abnormal);
}

#[test]
fn scenario_parameters_must_be_emitted() {
    let scenario = Scenario::parse("at 1s set /PUS/nothing = 1").expect("scenario");
    let result = Simulator::new(&pus_model(), pus_config()).expect("simulator").with_scenario(scenario);
    expect!["scenario: parameter `/PUS/nothing` is in no container the simulator emits"]
        .assert_eq(&result.map(|_| ()).unwrap_err().to_string());
}

/// Periodic packets over 60 s, as (container, bytes).
fn periodic(scenario: &str, seed: u64) -> Vec<Vec<u8>> {
    let mut config = pus_config();
    config.seed = seed;
    let scenario = Scenario::parse(scenario).expect("scenario");
    let mut simulator = Simulator::new(&pus_model(), config).expect("simulator").with_scenario(scenario).expect("ok");
    (0..60).flat_map(|second| simulator.tick(second * 1000)).collect()
}

#[test]
fn drops_and_corruption_are_seeded() {
    let clean = periodic("", 7);
    assert_eq!(clean, periodic("", 7), "the same seed gives the same packets");
    let dropped = periodic("drop 25%", 7);
    assert_eq!(dropped, periodic("drop 25%", 7));
    let share = dropped.len() as f64 / clean.len() as f64;
    assert!((0.65..0.85).contains(&share), "kept {share}");
    let corrupted = periodic("corrupt 100%", 7);
    assert_eq!(corrupted.len(), clean.len());
    for (clean, corrupted) in clean.iter().zip(&corrupted) {
        let flipped: u32 = clean.iter().zip(corrupted).map(|(a, b)| (a ^ b).count_ones()).sum();
        assert_eq!(flipped, 1);
        assert_eq!(clean[..6], corrupted[..6], "the primary header is kept");
    }
}
