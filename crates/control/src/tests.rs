//! A mission's releases through DEV → AIV → OPS, a second release, a rollback, and every
//! refusal, on the pure state; events survive a JSON round trip; a corrupt list is refused.

use crate::commands::{self, CommandError};
use crate::*;
use base::{Digest, Env, MissionSlug};
use pipeline::PipelineSpec;

struct Plane {
    state: ControlState,
    store: MemoryStore,
    spec: PipelineSpec,
    now: u64,
}

impl Plane {
    fn new() -> Plane {
        Plane { state: ControlState::default(), store: MemoryStore::default(), spec: PipelineSpec::default(), now: 0 }
    }

    /// Stores and applies an accepted request's event.
    fn accept(&mut self, event: Result<Event, CommandError>) {
        let event = event.unwrap_or_else(|error| panic!("refused: {error}"));
        self.store.append(&event).unwrap();
        self.state.apply(&event).unwrap();
        self.now += 1000;
    }

    fn refused(&self, event: Result<Event, CommandError>) -> String {
        match event {
            Ok(event) => panic!("accepted: {event:?}"),
            Err(error) => error.to_string(),
        }
    }

    /// Runs validate and test for `env` (passing), as the platform's gate runner would.
    fn gates(&mut self, mission: &MissionSlug, release: Digest, env: Env) {
        for gate in ["validate", "test"] {
            let event = commands::attest(&self.state, mission, release, env, gate, true, "ok", "platform", self.now);
            self.accept(event);
        }
    }

    fn promote_and_run(&mut self, mission: &MissionSlug, release: Digest, env: Env) {
        let event = commands::promote(&self.state, &self.spec, mission, mission, release, env, "ci", self.now);
        self.accept(event);
        // The platform deploys it and reports.
        self.accept(Ok(Event::Deployed { mission: mission.to_string(), release, env, at_ms: self.now }));
    }
}

fn slug(text: &str) -> MissionSlug {
    text.parse().unwrap()
}

#[test]
fn a_release_goes_dev_aiv_ops_a_second_follows_and_ops_rolls_back() {
    let mut plane = Plane::new();
    let sx = slug("sentinel-x");
    let (r1, r2) = (Digest::of(b"r1"), Digest::of(b"r2"));
    plane.accept(commands::create_mission(&plane.state, &sx, "admin", 0));
    plane.accept(commands::register_release(&plane.state, &sx, r1, "ci", plane.now));
    plane.gates(&sx, r1, Env::Dev);
    plane.promote_and_run(&sx, r1, Env::Dev);
    plane.gates(&sx, r1, Env::Aiv);
    plane.promote_and_run(&sx, r1, Env::Aiv);
    plane.gates(&sx, r1, Env::Ops);
    let ops_needs = plane.refused(commands::promote(&plane.state, &plane.spec, &sx, &sx, r1, Env::Ops, "ci", 9));
    assert!(ops_needs.contains("needs 2 distinct approvals"), "{ops_needs}");
    plane.accept(commands::approve(&plane.state, &sx, r1, Env::Ops, "fiona", "flight-director", plane.now));
    let twice = plane.refused(commands::approve(&plane.state, &sx, r1, Env::Ops, "fiona", "security-officer", 9));
    assert!(twice.contains("fiona approved release"), "{twice}");
    plane.accept(commands::approve(&plane.state, &sx, r1, Env::Ops, "sam", "security-officer", plane.now));
    plane.promote_and_run(&sx, r1, Env::Ops);

    // A second release (a changed limit, say) through the same gates.
    plane.accept(commands::register_release(&plane.state, &sx, r2, "ci", plane.now));
    let skip = plane.refused(commands::promote(&plane.state, &plane.spec, &sx, &sx, r2, Env::Aiv, "ci", 9));
    assert!(skip.contains("aiv comes after dev, which never ran release"), "{skip}");
    plane.gates(&sx, r2, Env::Dev);
    plane.promote_and_run(&sx, r2, Env::Dev);
    plane.gates(&sx, r2, Env::Aiv);
    plane.promote_and_run(&sx, r2, Env::Aiv);
    plane.gates(&sx, r2, Env::Ops);
    // Approvals of R1 do not count for R2.
    let stale = plane.refused(commands::promote(&plane.state, &plane.spec, &sx, &sx, r2, Env::Ops, "ci", 9));
    assert!(stale.contains("it has 0"), "{stale}");
    plane.accept(commands::approve(&plane.state, &sx, r2, Env::Ops, "fiona", "flight-director", plane.now));
    plane.accept(commands::approve(&plane.state, &sx, r2, Env::Ops, "sam", "security-officer", plane.now));
    plane.promote_and_run(&sx, r2, Env::Ops);
    assert_eq!(plane.state.missions[&sx].envs[&Env::Ops].running, Some(r2));

    // One command rolls OPS back to R1, whose gates and approvals stand.
    plane.accept(commands::rollback(&plane.state, &plane.spec, &sx, Env::Ops, "fiona", plane.now));
    let ops = &plane.state.missions[&sx].envs[&Env::Ops];
    assert_eq!(ops.desired.as_ref().map(|d| (d.0, d.3)), Some((r1, true)));
    // Until the platform redeploys, OPS drifts.
    let running = |mission: &MissionSlug, env: Env| plane.state.missions[mission].envs[&env].running;
    let drift = reconcile(&plane.state, &running);
    assert_eq!(drift.len(), 1);
    assert_eq!((drift[0].env, drift[0].desired, drift[0].running), (Env::Ops, r1, Some(r2)));

    // Every step is an event; replaying them gives the same state.
    let events = plane.store.events().unwrap();
    assert_eq!(ControlState::from_events(&events).unwrap(), plane.state);
    let json: Vec<String> = events.iter().map(|e| serde_json::to_string(e).unwrap()).collect();
    let back: Vec<Event> = json.iter().map(|line| serde_json::from_str(line).unwrap()).collect();
    assert_eq!(back, events);
    assert!(json[0].starts_with(r#"{"event":"mission_created","mission":"sentinel-x""#), "{}", json[0]);
}

#[test]
fn refusals_name_the_reason() {
    let mut plane = Plane::new();
    let (sx, other) = (slug("sentinel-x"), slug("other-x"));
    let r1 = Digest::of(b"r1");
    plane.accept(commands::create_mission(&plane.state, &sx, "admin", 0));
    plane.accept(commands::create_mission(&plane.state, &other, "admin", 0));
    let again = plane.refused(commands::create_mission(&plane.state, &sx, "admin", 1));
    assert_eq!(again, "mission sentinel-x exists already");
    let unknown = plane.refused(commands::promote(&plane.state, &plane.spec, &sx, &sx, r1, Env::Dev, "ci", 1));
    assert!(unknown.contains("is not a release of sentinel-x"), "{unknown}");
    plane.accept(commands::register_release(&plane.state, &other, r1, "ci", 1));
    let foreign = plane.refused(commands::approve(&plane.state, &sx, r1, Env::Ops, "fiona", "flight-director", 1));
    assert!(foreign.contains("is not a release of sentinel-x"), "{foreign}");
    plane.accept(commands::register_release(&plane.state, &sx, r1, "ci", 1));
    plane.gates(&sx, r1, Env::Dev);
    let cross = plane.refused(commands::promote(&plane.state, &plane.spec, &sx, &other, r1, Env::Dev, "ci", 1));
    assert!(cross.contains("belongs to mission other-x, not sentinel-x"), "{cross}");
    let event = commands::attest(&plane.state, &sx, r1, Env::Aiv, "test", false, "3 of 7 procedures failed", "ci", 1);
    plane.accept(event);
    plane.promote_and_run(&sx, r1, Env::Dev);
    let failed = plane.refused(commands::promote(&plane.state, &plane.spec, &sx, &sx, r1, Env::Aiv, "ci", 1));
    assert!(failed.contains("the test gate of aiv failed"), "{failed}");
    assert!(failed.contains("the validate gate of aiv has not run"), "{failed}");
    let nothing = plane.refused(commands::rollback(&plane.state, &plane.spec, &sx, Env::Dev, "ci", 1));
    assert!(nothing.contains("dev ran no release before"), "{nothing}");
    let none = plane.refused(commands::rollback(&plane.state, &plane.spec, &sx, Env::Ops, "ci", 1));
    assert_eq!(none, "ops runs nothing yet: nothing to roll back");
    let gate = plane.refused(commands::attest(&plane.state, &sx, r1, Env::Ops, "approval", true, "", "ci", 1));
    assert!(gate.contains("only validate and test are attested"), "{gate}");
}

#[test]
fn a_blackout_holds_promotions_to_its_environment() {
    let mut plane = Plane::new();
    let sx = slug("sentinel-x");
    let r1 = Digest::of(b"r1");
    plane.accept(commands::create_mission(&plane.state, &sx, "admin", 0));
    plane.accept(commands::register_release(&plane.state, &sx, r1, "ci", 0));
    plane.gates(&sx, r1, Env::Dev);
    plane.spec.dev.push(pipeline::GateSpec::Window);
    let reason = "pass over Svalbard".to_string();
    let blackout = Event::BlackoutSet {
        mission: sx.to_string(),
        env: Env::Dev,
        from_ms: 0,
        to_ms: 50_000,
        reason,
        by: "fd".into(),
        at_ms: 0,
    };
    plane.accept(Ok(blackout));
    let held = plane.refused(commands::promote(&plane.state, &plane.spec, &sx, &sx, r1, Env::Dev, "ci", 10_000));
    assert!(held.contains("no promotion to dev until 50000 ms: pass over Svalbard"), "{held}");
    plane.accept(commands::promote(&plane.state, &plane.spec, &sx, &sx, r1, Env::Dev, "ci", 50_000));
}

#[test]
fn events_that_do_not_fit_the_state_are_refused_with_their_index() {
    let r1 = Digest::of(b"r1");
    let created = Event::MissionCreated { mission: "sentinel-x".into(), by: "a".into(), at_ms: 0 };
    let promoted = Event::Promoted {
        mission: "sentinel-x".into(),
        release: r1,
        env: Env::Ops,
        by: "a".into(),
        at_ms: 1,
        rollback: false,
    };
    let error = ControlState::from_events(&[created.clone(), promoted]).unwrap_err();
    assert_eq!(error.to_string(), format!("event 1 (promoted): release {r1} is not registered for sentinel-x"));
    let error = ControlState::from_events(&[created.clone(), created]).unwrap_err();
    assert_eq!(error.to_string(), "event 1 (mission_created): mission sentinel-x exists already");
    let bad = Event::MissionCreated { mission: "Not A Slug".into(), by: "a".into(), at_ms: 0 };
    let error = ControlState::from_events(&[bad]).unwrap_err();
    assert!(error.to_string().starts_with("event 0 (mission): "), "{error}");
    let unknown_field = r#"{"event":"mission_created","mission":"x1","by":"a","at_ms":0,"extra":1}"#;
    assert!(serde_json::from_str::<Event>(unknown_field).is_err());
}

#[test]
fn archived_missions_change_no_more_paused_envs_skip_drift_and_deleted_names_come_back() {
    let mut plane = Plane::new();
    let sx = slug("sentinel-x");
    let r1 = Digest::of(b"r1");
    plane.accept(commands::create_mission(&plane.state, &sx, "admin", plane.now));
    plane.accept(commands::register_release(&plane.state, &sx, r1, "ci", plane.now));
    plane.gates(&sx, r1, Env::Dev);
    let promote = commands::promote(&plane.state, &plane.spec, &sx, &sx, r1, Env::Dev, "ci", plane.now);
    plane.accept(promote);

    // Desired but not running: drift, unless paused.
    assert_eq!(reconcile(&plane.state, &|_, _| None).len(), 1);
    plane.accept(commands::pause(&plane.state, &sx, Env::Dev, "op", plane.now));
    assert_eq!(
        plane.refused(commands::pause(&plane.state, &sx, Env::Dev, "op", plane.now)),
        "sentinel-x/dev is paused already"
    );
    assert!(reconcile(&plane.state, &|_, _| None).is_empty());
    plane.accept(commands::resume(&plane.state, &sx, Env::Dev, "op", plane.now));
    assert_eq!(
        plane.refused(commands::resume(&plane.state, &sx, Env::Dev, "op", plane.now)),
        "sentinel-x/dev is not paused"
    );

    plane.accept(commands::archive_mission(&plane.state, &sx, "admin", plane.now));
    let r2 = Digest::of(b"r2");
    let refused = plane.refused(commands::register_release(&plane.state, &sx, r2, "ci", plane.now));
    assert_eq!(refused, "mission sentinel-x is archived: nothing changes in it");
    let refused = plane.refused(commands::promote(&plane.state, &plane.spec, &sx, &sx, r1, Env::Dev, "ci", plane.now));
    assert_eq!(refused, "mission sentinel-x is archived: nothing changes in it");
    assert!(reconcile(&plane.state, &|_, _| None).is_empty(), "an archived mission runs nothing on purpose");
    assert_eq!(
        plane.refused(commands::create_mission(&plane.state, &sx, "admin", plane.now)),
        "mission sentinel-x exists already"
    );

    plane.accept(commands::delete_mission(&plane.state, &sx, "exports/sentinel-x", "admin", plane.now));
    assert_eq!(
        plane.refused(commands::delete_mission(&plane.state, &sx, "x", "admin", plane.now)),
        "no mission sentinel-x"
    );
    plane.accept(commands::create_mission(&plane.state, &sx, "admin", plane.now));
    assert!(plane.state.missions[&sx].releases.is_empty(), "a new mission of an old name starts empty");

    // The whole list folds to the same state again.
    let again = ControlState::from_events(&plane.store.events().unwrap()).unwrap();
    assert_eq!(again, plane.state);
}

#[test]
fn a_blackout_refuses_promotions_to_its_environment_while_it_lasts() {
    let mut plane = Plane::new();
    let sx = slug("sentinel-x");
    let r1 = Digest::of(b"r1");
    plane.accept(commands::create_mission(&plane.state, &sx, "admin", plane.now));
    plane.accept(commands::register_release(&plane.state, &sx, r1, "ci", plane.now));
    plane.spec.dev.push(pipeline::GateSpec::Window);
    plane.gates(&sx, r1, Env::Dev);
    let bad = commands::blackout(&plane.state, &sx, Env::Dev, 10, 10, "pass", "fd", plane.now);
    assert_eq!(plane.refused(bad), "blackout: from 10 ms is not before to 10 ms");
    let bad = commands::blackout(&plane.state, &sx, Env::Dev, 0, 10, " ", "fd", plane.now);
    assert_eq!(plane.refused(bad), "blackout: a reason of 1 to 200 printable characters");
    let (from, to) = (plane.now, plane.now + 60_000);
    plane.accept(commands::blackout(&plane.state, &sx, Env::Dev, from, to, "pass over Kiruna", "fd", plane.now));
    let refused = commands::promote(&plane.state, &plane.spec, &sx, &sx, r1, Env::Dev, "ci", plane.now);
    assert!(plane.refused(refused).contains("pass over Kiruna"));
    plane.now = to;
    plane.promote_and_run(&sx, r1, Env::Dev);
}
