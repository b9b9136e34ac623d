//! PUS 11: TC[11,4] answered and stored, its activities released by `tick` at their time and
//! answered as if just received; failures; TC[11,1] to TC[11,3].

use crate::commands::{describe, simulator};
use expect_test::{expect, Expect};
use sim::Simulator;
use tc::pus11::{insert_activity, CucTime};

fn ping(sequence_count: u16, ack_flags: u8) -> Vec<u8> {
    tc::pus::pus_tc(100, sequence_count, 17, 1, 0, ack_flags, &[]).expect("ping")
}

fn at_ms(release_ms: u64) -> CucTime {
    CucTime::from_epoch_ms(release_ms).expect("in range")
}

/// A TC[11,4] (APID 1, sequence count `sequence_count`, acceptance and completion asked)
/// scheduling `request` at `release_ms`.
fn insert(sequence_count: u16, release_ms: u64, request: &[u8]) -> Vec<u8> {
    insert_activity(1, sequence_count, 0b1001, at_ms(release_ms), request).expect("TC[11,4]")
}

/// Sends `tc` at `now_ms` and checks the answer.
#[track_caller]
fn check_tc(sim: &mut Simulator, tc: &[u8], now_ms: u64, expect: Expect) {
    let packets = sim.telecommand(tc, now_ms);
    expect.assert_eq(&describe(sim, &packets));
}

/// Ticks at `now_ms` and checks what is not periodic telemetry.
#[track_caller]
fn check_tick(sim: &mut Simulator, now_ms: u64, expect: Expect) {
    let packets: Vec<_> =
        sim.tick_emitted(now_ms).into_iter().filter(|e| e.container.is_none()).map(|e| e.bytes).collect();
    expect.assert_eq(&describe(sim, &packets));
}

#[test]
fn an_activity_runs_at_its_release_time_with_its_own_request_id() {
    let mut sim = simulator("");
    check_tc(
        &mut sim,
        &insert(7, 3500, &ping(5, 0b1101)),
        1000,
        expect![[r#"
            TM[1,1] Acceptance success=true request=1801/c007 code=None
            TM[1,7] Completion success=true request=1801/c007 code=None
        "#]],
    );
    assert_eq!(sim.scheduled(), vec![(3500, ping(5, 0b1101).as_slice())]);
    check_tick(&mut sim, 3499, expect![[""]]);
    check_tick(
        &mut sim,
        3500,
        expect![[r#"
            TM[1,1] Acceptance success=true request=1864/c005 code=None
            TM[1,3] Start success=true request=1864/c005 code=None
            TM[17,2] Ok(None)
            TM[1,7] Completion success=true request=1864/c005 code=None
        "#]],
    );
    assert_eq!(sim.scheduled(), vec![]);
    check_tick(&mut sim, 10_000, expect![[""]]);
}

#[test]
fn activities_run_in_release_order_and_a_late_tick_runs_all_due() {
    let mut sim = simulator("");
    for (sequence_count, release_ms, inner) in [(1, 5000, 11), (2, 4000, 12), (3, 5000, 13), (4, 9000, 14)] {
        let packets = sim.telecommand(&insert(sequence_count, release_ms, &ping(inner, 0b0001)), 1000);
        assert_eq!(packets.len(), 2, "accepted and completed");
    }
    check_tick(
        &mut sim,
        6000,
        expect![[r#"
            TM[17,2] Ok(None)
            TM[1,7] Completion success=true request=1864/c00c code=None
            TM[17,2] Ok(None)
            TM[1,7] Completion success=true request=1864/c00b code=None
            TM[17,2] Ok(None)
            TM[1,7] Completion success=true request=1864/c00d code=None
        "#]],
    );
    assert_eq!(sim.scheduled().iter().map(|(at, _)| *at).collect::<Vec<_>>(), vec![9000]);
}

#[test]
fn an_unknown_scheduled_command_fails_when_released() {
    let mut sim = simulator("");
    let unknown = tc::pus::pus_tc(100, 6, 99, 1, 0, 0b1111, &[]).expect("tc");
    check_tc(
        &mut sim,
        &insert(1, 2000, &unknown),
        1000,
        expect![[r#"
            TM[1,1] Acceptance success=true request=1801/c001 code=None
            TM[1,7] Completion success=true request=1801/c001 code=None
        "#]],
    );
    check_tick(
        &mut sim,
        2000,
        expect![[r#"
            TM[1,2] Acceptance success=false request=1864/c006 code=Some(2)
        "#]],
    );
}

#[test]
fn malformed_late_and_excess_activities_are_refused() {
    let mut sim = simulator("");
    let mut bad_crc = insert(1, 2000, &ping(5, 0b1111));
    let inner_crc = bad_crc.len() - 3;
    bad_crc[inner_crc] ^= 1;
    let outer_crc = bad_crc.len() - 2;
    let crc = ccsds::crc16_ccitt_false(&bad_crc[..outer_crc]);
    bad_crc[outer_crc..].copy_from_slice(&crc.to_be_bytes());
    check_tc(
        &mut sim,
        &bad_crc,
        1000,
        expect![[r#"
            TM[1,2] Acceptance success=false request=1801/c001 code=Some(3)
        "#]],
    );
    let bad_layout = tc::pus::pus_tc(1, 2, 11, 4, 0, 0b1001, &[0, 1, 0x2E]).expect("tc");
    check_tc(
        &mut sim,
        &bad_layout,
        1000,
        expect![[r#"
            TM[1,2] Acceptance success=false request=1801/c002 code=Some(3)
        "#]],
    );
    check_tc(
        &mut sim,
        &insert(3, 999, &ping(5, 0b1111)),
        1000,
        expect![[r#"
            TM[1,1] Acceptance success=true request=1801/c003 code=None
            TM[1,8] Completion success=false request=1801/c003 code=Some(4)
        "#]],
    );
    for idx in 0..sim::SCHEDULE_MAX {
        let packets = sim.telecommand(&insert(4, 5000 + idx as u64, &ping(5, 0)), 1000);
        assert_eq!(packets.len(), 2, "activity {idx} is accepted and completed");
    }
    check_tc(
        &mut sim,
        &insert(5, 2000, &ping(6, 0b1111)),
        1000,
        expect![[r#"
            TM[1,1] Acceptance success=true request=1801/c005 code=None
            TM[1,8] Completion success=false request=1801/c005 code=Some(5)
        "#]],
    );
    assert_eq!(sim.scheduled().len(), sim::SCHEDULE_MAX);
    assert!(sim.scheduled().iter().all(|(at, _)| *at >= 5000), "nothing of the refused TC was stored");
}

#[test]
fn a_disabled_schedule_holds_activities_until_enabled() {
    let mut sim = simulator("");
    let disable = tc::pus::pus_tc(1, 1, 11, 2, 0, 0b0001, &[]).expect("tc");
    check_tc(
        &mut sim,
        &disable,
        1000,
        expect![[r#"
            TM[1,7] Completion success=true request=1801/c001 code=None
        "#]],
    );
    assert!(!sim.is_schedule_enabled());
    sim.telecommand(&insert(2, 2000, &ping(9, 0b0001)), 1000);
    check_tick(&mut sim, 3000, expect![[""]]);
    let enable = tc::pus::pus_tc(1, 3, 11, 1, 0, 0b1000, &[]).expect("tc");
    check_tc(
        &mut sim,
        &enable,
        3000,
        expect![[r#"
            TM[1,1] Acceptance success=true request=1801/c003 code=None
        "#]],
    );
    check_tick(
        &mut sim,
        3001,
        expect![[r#"
            TM[17,2] Ok(None)
            TM[1,7] Completion success=true request=1864/c009 code=None
        "#]],
    );
    // TC[11,3] (the Yamcs example's RESET_SCHEDULER) empties the schedule and enables it.
    sim.telecommand(&insert(4, 5000, &ping(10, 0b0001)), 3001);
    sim.telecommand(&disable, 3001);
    let model = crate::pus_model();
    let reset = model::QualifiedName::parse("/PUS11/RESET_SCHEDULER").expect("name");
    let reset = tc::encode::encode(&model, &tc::args::check(&model, &reset, &[]).expect("checked")).expect("encoded");
    check_tc(
        &mut sim,
        &reset.bytes,
        3001,
        expect![[r#"
            TM[1,3] Start success=true request=1801/c000 code=None
            TM[1,7] Completion success=true request=1801/c000 code=None
        "#]],
    );
    assert_eq!((sim.scheduled(), sim.is_schedule_enabled()), (vec![], true));
}

#[test]
fn a_scenario_rejection_applies_to_tc_11_4_and_to_released_requests() {
    let mut sim = simulator("reject TC[17,1] code 9");
    sim.telecommand(&insert(1, 2000, &ping(5, 0b1000)), 1000);
    check_tick(
        &mut sim,
        2000,
        expect![[r#"
            TM[1,2] Acceptance success=false request=1864/c005 code=Some(9)
        "#]],
    );
    let mut sim = simulator("reject TC[11,4] code 8");
    check_tc(
        &mut sim,
        &insert(1, 2000, &ping(5, 0b1000)),
        1000,
        expect![[r#"
            TM[1,2] Acceptance success=false request=1801/c001 code=Some(8)
        "#]],
    );
    assert_eq!(sim.scheduled(), vec![]);
}
