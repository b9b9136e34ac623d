//! Telecommands answered: verification reports, ping, housekeeping switching, scenarios.

use crate::{pus_config, pus_model};
use expect_test::{expect, Expect};
use proptest::prelude::*;
use sim::{Scenario, Simulator};
use tm::pus::{report, PusReport};

pub(crate) fn simulator(scenario: &str) -> Simulator {
    let scenario = Scenario::parse(scenario).expect("scenario");
    Simulator::new(&pus_model(), pus_config()).expect("simulator").with_scenario(scenario).expect("scenario applies")
}

/// One line per packet: its PUS type and what `tm::pus::report` reads of it.
pub(crate) fn describe(simulator: &Simulator, packets: &[Vec<u8>]) -> String {
    let layout = simulator.pus_layout();
    packets
        .iter()
        .map(|packet| {
            let kind = format!("TM[{},{}]", packet[7], packet[8]);
            match report(packet, &layout) {
                Ok(Some(PusReport::Verification(v))) => format!(
                    "{kind} {:?} success={} request={:04x}/{:04x} code={:?}\n",
                    v.stage, v.success, v.request.packet_id, v.request.sequence_control, v.failure_code
                ),
                Ok(Some(PusReport::Event(e))) => format!("{kind} event {} {:?}\n", e.event_id, e.severity),
                other => format!("{kind} {other:?}\n"),
            }
        })
        .collect()
}

#[track_caller]
fn check(simulator: &mut Simulator, tc: &[u8], expect: Expect) {
    let packets = simulator.telecommand(tc, 1000);
    expect.assert_eq(&describe(simulator, &packets));
}

fn ping(ack_flags: u8) -> Vec<u8> {
    tc::pus::pus_tc(100, 5, 17, 1, 0, ack_flags, &[]).expect("ping")
}

#[test]
fn ping_gets_every_requested_stage() {
    let mut sim = simulator("");
    check(
        &mut sim,
        &ping(0b1101),
        expect![[r#"
        TM[1,1] Acceptance success=true request=1864/c005 code=None
        TM[1,3] Start success=true request=1864/c005 code=None
        TM[17,2] Ok(None)
        TM[1,7] Completion success=true request=1864/c005 code=None
    "#]],
    );
    check(
        &mut sim,
        &ping(0b0001),
        expect![[r#"
        TM[17,2] Ok(None)
        TM[1,7] Completion success=true request=1864/c005 code=None
    "#]],
    );
}

#[test]
fn an_encoded_model_command_is_accepted() {
    let model = pus_model();
    let name = model::QualifiedName::parse("/PUS17/ARE_YOU_ALIVE").expect("name");
    let checked = tc::args::check(&model, &name, &[]).expect("checked");
    let encoded = tc::encode::encode(&model, &checked).expect("encoded");
    check(
        &mut simulator(""),
        &encoded.bytes,
        expect![[r#"
        TM[1,3] Start success=true request=1801/c000 code=None
        TM[17,2] Ok(None)
        TM[1,7] Completion success=true request=1801/c000 code=None
    "#]],
    );
}

#[test]
fn unknown_and_malformed_commands_fail_acceptance() {
    let mut sim = simulator("");
    let unknown = tc::pus::pus_tc(100, 6, 99, 1, 0, 0b1111, &[]).expect("tc");
    check(
        &mut sim,
        &unknown,
        expect![[r#"
        TM[1,2] Acceptance success=false request=1864/c006 code=Some(2)
    "#]],
    );
    let truncated = &ping(0b1111)[..10];
    check(
        &mut sim,
        truncated,
        expect![[r#"
        TM[1,2] Acceptance success=false request=1864/c005 code=Some(1)
    "#]],
    );
    check(&mut sim, &[0x18], expect![[""]]);
}

#[test]
fn scenario_rejects_and_delays() {
    let mut sim = simulator("reject /PUS17/ARE_YOU_ALIVE code 7");
    check(
        &mut sim,
        &ping(0b1111),
        expect![[r#"
        TM[1,2] Acceptance success=false request=1864/c005 code=Some(7)
    "#]],
    );
    let mut sim = simulator("reject TC[17,1] code 9\n");
    check(
        &mut sim,
        &ping(0b1111),
        expect![[r#"
        TM[1,2] Acceptance success=false request=1864/c005 code=Some(9)
    "#]],
    );
    let mut sim = simulator("delay verification 5s");
    check(
        &mut sim,
        &ping(0b1111),
        expect![[r#"
        TM[17,2] Ok(None)
    "#]],
    );
    let early: Vec<_> = sim.tick_emitted(5999).into_iter().filter(|e| e.container.is_none()).collect();
    assert_eq!(early, vec![]);
    let due: Vec<_> = sim.tick_emitted(6000).into_iter().filter(|e| e.container.is_none()).map(|e| e.bytes).collect();
    expect![[r#"
        TM[1,1] Acceptance success=true request=1864/c005 code=None
        TM[1,3] Start success=true request=1864/c005 code=None
        TM[1,7] Completion success=true request=1864/c005 code=None
    "#]]
    .assert_eq(&describe(&sim, &due));
}

#[test]
fn housekeeping_is_switched_by_service_3() {
    let mut sim = simulator("");
    let hk25 = model::QualifiedName::parse("/PUS/hk25").expect("name");
    let disable = tc::pus::pus_tc(100, 7, 3, 6, 0, 0b0001, &[0]).expect("tc");
    check(
        &mut sim,
        &disable,
        expect![[r#"
        TM[1,7] Completion success=true request=1864/c007 code=None
    "#]],
    );
    assert_eq!(sim.is_enabled(&hk25), Some(false));
    assert!(sim.tick_emitted(2000).iter().all(|e| e.container.as_ref() != Some(&hk25)));
    let enable = tc::pus::pus_tc(100, 8, 3, 5, 0, 0b0001, &[0]).expect("tc");
    check(
        &mut sim,
        &enable,
        expect![[r#"
        TM[1,7] Completion success=true request=1864/c008 code=None
    "#]],
    );
    assert!(sim.tick_emitted(3000).iter().any(|e| e.container.as_ref() == Some(&hk25)));
    let bad = tc::pus::pus_tc(100, 9, 3, 5, 0, 0b0001, &[2, 1]).expect("tc");
    check(
        &mut sim,
        &bad,
        expect![[r#"
        TM[1,4] Start success=false request=1864/c009 code=Some(3)
    "#]],
    );
}

#[test]
fn scenario_events_come_at_their_time() {
    let mut sim = simulator("at 2s event 3 medium\nat 2500ms event 4 high");
    assert!(sim.tick_emitted(1000).iter().all(|e| e.container.is_some()));
    let events: Vec<_> =
        sim.tick_emitted(3000).into_iter().filter(|e| e.container.is_none()).map(|e| e.bytes).collect();
    expect![[r#"
        TM[5,3] event 3 Medium
        TM[5,4] event 4 High
    "#]]
    .assert_eq(&describe(&sim, &events));
}

#[test]
fn satrs_capture_commands_are_answered() {
    let bytes = std::fs::read(test_utils::real("satrs-example-capture/tc_sent.bin")).expect("capture");
    let tcs = ccsds::whole_packets(&bytes);
    assert_eq!(tcs.len(), 4);
    let mut sim = simulator("");
    let mut lines = String::new();
    for tc in &tcs {
        let packets = sim.telecommand(tc, 0);
        let first = report(&packets[0], &sim.pus_layout()).expect("report");
        let Some(PusReport::Verification(first)) = first else { panic!("no acceptance report for {tc:02x?}") };
        assert_eq!(first.request.packet_id.to_be_bytes(), [tc[0], tc[1]]);
        assert_eq!(first.request.sequence_control.to_be_bytes(), [tc[2], tc[3]]);
        lines += &format!("TC[{},{}]:\n{}", tc[7], tc[8], describe(&sim, &packets));
    }
    expect![[r#"
        TC[17,1]:
        TM[1,1] Acceptance success=true request=1802/c001 code=None
        TM[1,3] Start success=true request=1802/c001 code=None
        TM[17,2] Ok(None)
        TM[1,7] Completion success=true request=1802/c001 code=None
        TC[17,128]:
        TM[1,2] Acceptance success=false request=1802/c002 code=Some(2)
        TC[3,27]:
        TM[1,2] Acceptance success=false request=1803/c003 code=Some(2)
        TC[99,1]:
        TM[1,2] Acceptance success=false request=1802/c004 code=Some(2)
    "#]]
    .assert_eq(&lines);
}

/// One simulator, cloned per case: importing the model for each would be slow.
static SIMULATOR: std::sync::LazyLock<Simulator> =
    std::sync::LazyLock::new(|| Simulator::new(&pus_model(), pus_config()).expect("simulator"));

proptest! {
    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut sim = SIMULATOR.clone();
        sim.telecommand(&bytes, 0);
    }

    #[test]
    fn random_telecommands_never_panic(service in any::<u8>(), subtype in any::<u8>(), ack in 0u8..16,
                                       data in proptest::collection::vec(any::<u8>(), 0..16)) {
        let mut sim = SIMULATOR.clone();
        let tc = tc::pus::pus_tc(100, 1, service, subtype, 0, ack, &data).expect("tc");
        let packets = sim.telecommand(&tc, 0);
        for packet in &packets {
            prop_assert!(report(packet, &sim.pus_layout()).is_ok());
        }
    }
}
