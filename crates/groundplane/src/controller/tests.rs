//! The control plane in-process, on the real SpacePy MIB and the Yamcs PUS example: two
//! missions created from mission files (DEV live with its simulator), a release promoted DEV →
//! AIV (its procedure passes against a simulator) → OPS (two distinct approvals), a second
//! release with a changed limit diffed, promoted (hot swap) and rolled back — each step's
//! event recorded — and the refusals: a failed gate, skipping AIV, approving twice, a role not
//! held, a tampered bundle, a release of another mission, an archived mission; then a restart
//! restores what ran.

use super::{Controller, Dirs, Options};
use crate::mission_cmd::source::release_source;
use api::gate::{Principal, PrincipalKind};
use api::wire::{PromotionRequest, ReleaseApproval, ReleaseBundle, ReleaseSource};
use api::{BackendError, ControlBackend};
use base::{Env, MissionSlug, Scope};
use deployment::Platform;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use test_utils::missions::{mib_with_limit, mission_copy};

fn who(id: &str) -> Principal {
    Principal::named(id, PrincipalKind::Token)
}

fn repo(relative: &str) -> PathBuf {
    test_utils::missions::repo().join(relative)
}

struct Plane {
    dir: PathBuf,
    runtime: tokio::runtime::Runtime,
    platform: Arc<Platform>,
    controller: Controller,
}

impl Plane {
    fn open(dir: &Path, runtime: tokio::runtime::Runtime) -> Plane {
        let platform = Arc::new(Platform::default());
        let clock: deployment::Clock = Arc::new(crate::clock::now_ms);
        let options = Options { dirs: Dirs::under(&dir.join("data")), trusted: Vec::new(), clock };
        let controller = Controller::open(platform.clone(), options, runtime.handle().clone()).unwrap();
        Plane { dir: dir.to_path_buf(), runtime, platform, controller }
    }

    fn scope(mission: &str, env: Env) -> Scope {
        Scope { mission: mission.parse().unwrap(), env }
    }

    fn promote(
        &self,
        mission: &str,
        env: Env,
        release: &str,
        by: &str,
    ) -> Result<api::wire::PromotionOutcome, BackendError> {
        let request = PromotionRequest { release: release.to_string() };
        self.controller.promote(&Self::scope(mission, env), &request, &who(by))
    }

    fn approve(&self, mission: &str, env: Env, release: &str, by: &str, role: &str) -> Result<(), BackendError> {
        let approval = ReleaseApproval { release: release.to_string(), role: role.to_string() };
        self.controller.approve_release(&Self::scope(mission, env), &approval, &who(by)).map(drop)
    }

    /// Waits until the deployment stored telemetry (its simulator runs and decodes).
    fn wait_for_telemetry(&self, scope: &Scope) -> Duration {
        let started = Instant::now();
        loop {
            let units = self.platform.get(scope).map(|d| d.status().stored.units).unwrap_or_default();
            if units > 0 {
                return started.elapsed();
            }
            assert!(started.elapsed() < Duration::from_secs(20), "{scope}: no telemetry stored");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn events(&self, mission: &str) -> Vec<String> {
        let slug: MissionSlug = mission.parse().unwrap();
        let events = self.controller.control_events(&slug).unwrap();
        events.iter().map(|e| e.event["event"].as_str().unwrap().to_string()).collect()
    }
}

fn conflict(result: Result<impl std::fmt::Debug, BackendError>) -> String {
    match result {
        Err(BackendError::Conflict { reason }) => reason,
        other => panic!("expected a conflict, got {other:?}"),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn two_missions_go_dev_aiv_ops_a_changed_limit_follows_and_rolls_back() {
    let dir = test_utils::temp_dir("controller");
    let plane = Plane::open(&dir, runtime());
    let admin = "admin";
    // The gate's authorizer gets each mission's own policies from the release governing them.
    let handed = Arc::new(std::sync::Mutex::new(std::collections::BTreeMap::new()));
    let recording = handed.clone();
    plane.controller.set_policy_sink(Box::new(move |mission, text| {
        crate::authz::check_mission_policies(mission, text.unwrap_or(""))?;
        recording.lock().unwrap().insert(mission.to_string(), text.map(str::to_string));
        Ok(())
    }));

    // Two missions from real databases: DEV runs within seconds, with simulator telemetry.
    let mib_file = mission_copy(&dir, "spacepy-mib", &mib_with_limit(&dir, 4_000_000_000));
    let (_, source) = release_source(&mib_file).unwrap();
    let created = plane.controller.create_mission(&source, &who(admin)).unwrap();
    assert_eq!(created.envs[0].deployment, "running", "{created:?}");
    plane.wait_for_telemetry(&Plane::scope("spacepy-mib", Env::Dev));
    let r1 = created.releases[0].digest.clone();
    let (pus_dir, _) = test_utils::PUS_EXAMPLE;
    let (_, pus_source) = release_source(&mission_copy(&dir, "pus-example", &test_utils::real(pus_dir))).unwrap();
    let pus = plane.controller.create_mission(&pus_source, &who(admin)).unwrap();
    plane.wait_for_telemetry(&Plane::scope("pus-example", Env::Dev));
    assert_eq!(plane.controller.missions().unwrap().len(), 2);
    {
        let handed = handed.lock().unwrap();
        assert!(handed["spacepy-mib"].as_ref().is_some_and(|text| text.contains("viewers-acknowledge-alarms")));
        assert_eq!(handed["pus-example"], None);
    }
    // Policies that do not validate, or reach past the mission, refuse the release.
    let mut careless = source.clone();
    careless.policies = Some("@id(\"all\")\npermit (principal, action, resource);\n".into());
    let refused = plane.controller.create_release(&"spacepy-mib".parse().unwrap(), &careless, &who(admin));
    assert!(matches!(&refused, Err(BackendError::BadRequest { field, .. }) if field == "policies"), "{refused:?}");
    let again = conflict(plane.controller.create_mission(&source, &who(admin)));
    assert_eq!(again, "mission spacepy-mib exists already");
    // A mission whose DEV gate fails is refused, and nothing of it is left.
    let mut strict = pus_source.clone();
    strict.mission_file = strict.mission_file.replace("name = \"pus-example\"", "name = \"strict\"")
        + "\n[pipeline]\nlint = { require_significance = true }\n";
    let refused = conflict(plane.controller.create_mission(&strict, &who(admin)));
    assert!(
        refused.starts_with("mission strict not created: ") && refused.contains("no significance level"),
        "{refused}"
    );
    assert!(plane.controller.missions().unwrap().iter().all(|m| m.mission != "strict"));
    assert!(!dir.join("data/_platform/releases/strict").exists());
    busy_port_then_reconciled_then_deleted(&plane, &pus_source);

    // Skipping AIV, and OPS before its gates and approvals: refused, nothing deployed.
    let skipped = conflict(plane.promote("spacepy-mib", Env::Ops, &r1, admin));
    assert!(skipped.contains("ops comes after aiv, which never ran release"), "{skipped}");
    // A release of another mission is not this mission's.
    let foreign = plane.promote("spacepy-mib", Env::Aiv, &pus.releases[0].digest, admin);
    assert!(matches!(foreign, Err(BackendError::NotFound { what: "release", .. })), "{foreign:?}");

    // AIV: validate and test (the smoke procedure against a scratch simulator deployment).
    let aiv = plane.promote("spacepy-mib", Env::Aiv, &r1, admin).unwrap();
    assert_eq!(aiv.deployed, "started");
    assert!(aiv.attested.iter().all(|a| a.passed), "{:?}", aiv.attested);
    assert_eq!(aiv.attested.iter().map(|a| a.gate.as_str()).collect::<Vec<_>>(), ["validate", "test"]);

    // OPS: gates pass, approvals missing; then the same person twice, a role not held.
    let refused = conflict(plane.promote("spacepy-mib", Env::Ops, &r1, admin));
    assert!(refused.contains("ops needs 2 distinct approvals"), "{refused}");
    plane.approve("spacepy-mib", Env::Ops, &r1, "flight-director", "flight-director").unwrap();
    let twice = conflict(plane.approve("spacepy-mib", Env::Ops, &r1, "flight-director", "flight-director"));
    assert!(twice.contains("flight-director approved release"), "{twice}");
    let not_held = conflict(plane.approve("spacepy-mib", Env::Ops, &r1, "operator", "security-officer"));
    assert_eq!(not_held, "operator does not hold the role security-officer in spacepy-mib/ops");
    let still = conflict(plane.promote("spacepy-mib", Env::Ops, &r1, admin));
    assert!(still.contains("it has 1 (flight-director)"), "{still}");
    plane.approve("spacepy-mib", Env::Ops, &r1, "security-officer", "security-officer").unwrap();
    assert_eq!(plane.promote("spacepy-mib", Env::Ops, &r1, admin).unwrap().deployed, "started");

    // A second release: PAR9's limit changed. The diff names it.
    let (_, changed) =
        release_source(&mission_copy(&dir.join("r2"), "spacepy-mib", &mib_with_limit(&dir, 1000))).unwrap();
    let slug: MissionSlug = "spacepy-mib".parse().unwrap();
    let r2 = plane.controller.create_release(&slug, &changed, &who("engineer")).unwrap().digest;
    let diff = plane.controller.release_diff(&slug, &r1, &r2).unwrap();
    let text = diff["text"].as_str().unwrap();
    assert!(text.contains("PAR9") && text.contains("1000"), "{text}");
    assert_eq!(diff["empty"], false);

    // Through DEV (hot swap), AIV, OPS (approved again for this digest), then rolled back.
    assert_eq!(plane.promote("spacepy-mib", Env::Dev, &r2, admin).unwrap().deployed, "swapped");
    assert_eq!(plane.promote("spacepy-mib", Env::Aiv, &r2, admin).unwrap().deployed, "swapped");
    plane.approve("spacepy-mib", Env::Ops, &r2, "flight-director", "flight-director").unwrap();
    plane.approve("spacepy-mib", Env::Ops, &r2, "security-officer", "security-officer").unwrap();
    assert_eq!(plane.promote("spacepy-mib", Env::Ops, &r2, admin).unwrap().deployed, "swapped");
    let ops = Plane::scope("spacepy-mib", Env::Ops);
    assert_eq!(plane.platform.get(&ops).unwrap().digest().to_string(), diff_model_digest(&plane, &slug, &r2));
    let back = plane.controller.rollback(&ops, &who(admin)).unwrap();
    assert_eq!((back.release.as_str(), back.rollback, back.deployed.as_str()), (r1.as_str(), true, "swapped"));
    assert_eq!(plane.platform.get(&ops).unwrap().digest().to_string(), diff_model_digest(&plane, &slug, &r1));
    assert!(plane.controller.drift().unwrap().is_empty());

    // Every step's record, in order.
    let events = plane.events("spacepy-mib");
    let count = |kind: &str| events.iter().filter(|e| *e == kind).count();
    assert_eq!(events[..2], ["mission_created".to_string(), "release_registered".to_string()]);
    assert_eq!((count("release_registered"), count("approved"), count("promoted"), count("deployed")), (2, 4, 7, 7));
    let detail = plane.controller.release(&slug, &r1).unwrap();
    assert_eq!(detail.approvals.len(), 2);
    assert!(detail.attestations.iter().any(|a| a.env == "aiv" && a.gate == "test" && a.passed));

    refusals(&plane, &slug, &r1, &r2);

    // A restart: the same store folds to the same state and every environment runs again.
    let state = plane.controller.state();
    plane.controller.stop_all();

    // Every change is in the audit chain, signed at the stop, in the order it happened.
    let trusted = crate::audit_cmd::trusted_key(&plane.controller.public_key()).unwrap();
    let chain = archive::AuditStore::open_existing(&plane.dir.join("data/_platform/audit")).unwrap();
    let report = chain.verify(&[trusted]).unwrap();
    assert_eq!((report.records, report.unverified_tail), (state.events, 0), "{report:?}");
    let records = chain.records().unwrap();
    let promoted = records.iter().filter(|r| r.action == "control.promoted").count();
    assert_eq!(promoted, 8 + 1 + 1, "spacepy-mib 7 and r3 to dev, pus-example 1, busy 1");
    assert!(records.iter().any(|r| r.action == "control.approved" && r.principal == "security-officer"));
    drop(chain);
    let Plane { dir: plane_dir, runtime, .. } = plane;
    let reopened = Plane::open(&plane_dir, runtime);
    assert_eq!(reopened.controller.state(), state);
    assert!(reopened.controller.reconcile_all().is_empty());
    assert_eq!(reopened.platform.iter().count(), 3, "spacepy-mib dev, aiv, ops; pus-example is archived");
    reopened.controller.stop_all();
    let _ = std::fs::remove_dir_all(&dir);
}

fn diff_model_digest(plane: &Plane, slug: &MissionSlug, release: &str) -> String {
    plane.controller.release(slug, release).unwrap().release.model_digest
}

/// A tampered bundle, a foreign bundle, a failed gate, an archived mission.
fn refusals(plane: &Plane, slug: &MissionSlug, r1: &str, r2: &str) {
    let admin = who("admin");
    // Tampered on disk: deploying re-verifies, and names the file.
    let hex = r2.trim_start_matches("sha256:");
    let stored = plane.dir.join("data/_platform/releases/spacepy-mib").join(hex).join("mission.toml");
    let mut permissions = std::fs::metadata(&stored).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&stored, permissions).unwrap();
    let original = std::fs::read_to_string(&stored).unwrap();
    std::fs::write(&stored, original.replace("seed = 2", "seed = 3")).unwrap();
    let tampered = conflict(plane.promote("spacepy-mib", Env::Ops, r2, "admin"));
    assert!(tampered.contains("does not verify: mission.toml: sha256:"), "{tampered}");
    std::fs::write(&stored, original).unwrap();

    // A bundle of the other mission, and one whose signature is not ours.
    let files: std::collections::BTreeMap<String, String> = crate::release_cmd::store::read(
        &plane.dir.join("data/_platform/releases/spacepy-mib").join(r1.trim_start_matches("sha256:")),
    )
    .unwrap()
    .into_iter()
    .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
    .collect();
    let foreign = plane.controller.import_release(
        &"pus-example".parse().unwrap(),
        &ReleaseBundle { files: files.clone() },
        &admin,
    );
    assert!(conflict(foreign).contains("release of mission spacepy-mib, expected pus-example"));
    let mut forged = files;
    let signature = forged.get_mut("signature.json").unwrap();
    let at = signature.find("\"sig\":\"").unwrap() + 7;
    let flipped = if &signature[at..at + 1] == "0" { "1" } else { "0" };
    signature.replace_range(at..at + 1, flipped);
    let forged = plane.controller.import_release(slug, &ReleaseBundle { files: forged }, &admin);
    let forged = conflict(forged);
    assert!(forged.starts_with("release refused: signature by key"), "{forged}");

    // A release whose test gate fails (a procedure expecting what cannot happen) is refused in
    // AIV, and stays refused for that digest.
    let mut failing: ReleaseSource = release_source(&repo("missions/spacepy-mib/mission.toml")).unwrap().1;
    failing.procedures.insert(
        "never.toml".into(),
        "name = \"never\"\n[[step]]\nsend = \"/MIB/TESTCMD\"\nexpect = \"rejected\"\ntimeout_s = 2\n".into(),
    );
    let r3 = plane.controller.create_release(slug, &failing, &admin).unwrap().digest;
    plane.promote("spacepy-mib", Env::Dev, &r3, "admin").unwrap();
    let failed = conflict(plane.promote("spacepy-mib", Env::Aiv, &r3, "admin"));
    assert!(failed.contains("the test gate of aiv failed"), "{failed}");
    let failed = conflict(plane.promote("spacepy-mib", Env::Aiv, &r3, "admin"));
    assert!(failed.contains("the test gate of aiv failed"), "{failed}");

    // A blackout on OPS (a pass): no promotion while it lasts, even of a release it ran.
    let ops = Plane::scope("spacepy-mib", Env::Ops);
    let now = crate::clock::now_ms();
    let pass =
        api::wire::BlackoutDto { from_ms: now - 1000, to_ms: now + 3_600_000, reason: "pass over Kiruna".into() };
    let env = plane.controller.set_blackout(&ops, &pass, &admin).unwrap();
    assert_eq!(env.blackouts, std::slice::from_ref(&pass));
    let blacked_out = conflict(plane.promote("spacepy-mib", Env::Ops, r2, "admin"));
    assert!(blacked_out.contains("pass over Kiruna"), "{blacked_out}");
    let backwards = api::wire::BlackoutDto { from_ms: now, to_ms: now, reason: "x".into() };
    assert!(matches!(plane.controller.set_blackout(&ops, &backwards, &admin), Err(BackendError::BadRequest { .. })));

    // Archived: everything stops, nothing changes any more.
    let pus: MissionSlug = "pus-example".parse().unwrap();
    plane.controller.archive_mission(&pus, &admin).unwrap();
    assert!(plane.platform.get(&Plane::scope("pus-example", Env::Dev)).is_none());
    let pus_release = plane.controller.releases(&pus).unwrap()[0].digest.clone();
    let archived = conflict(plane.promote("pus-example", Env::Dev, &pus_release, "admin"));
    assert!(archived.contains("archived"), "{archived}");
}

/// A mission whose DEV link's port is taken: created all the same, DEV failed with why and
/// shown as drift; once the port is free the reconciler starts it. Then deleted: its data and
/// records are exported first.
fn busy_port_then_reconciled_then_deleted(plane: &Plane, pus: &ReleaseSource) {
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let mut busy = pus.clone();
    busy.mission_file = busy.mission_file.replace("name = \"pus-example\"", "name = \"busy\"").replacen(
        "address = \"127.0.0.1:0\"",
        &format!("address = {address:?}"),
        1,
    );
    let created = plane.controller.create_mission(&busy, &who("admin")).unwrap();
    assert_eq!(created.envs[0].deployment, "failed", "{:?}", created.envs[0]);
    assert!(created.envs[0].error.as_deref().unwrap_or_default().contains(&address), "{:?}", created.envs[0]);
    let drift = plane.controller.drift().unwrap();
    assert!(drift.iter().any(|d| d.mission == "busy" && d.env == "dev" && d.running.is_none()), "{drift:?}");
    drop(taken);
    assert!(plane.controller.reconcile_all().is_empty());
    assert!(plane.platform.get(&Plane::scope("busy", Env::Dev)).is_some());
    assert!(plane.controller.drift().unwrap().is_empty());

    let slug: MissionSlug = "busy".parse().unwrap();
    let removed = plane.controller.delete_mission(&slug, &who("admin")).unwrap();
    let export = PathBuf::from(removed.export.unwrap());
    let events = std::fs::read_to_string(export.join("events.jsonl")).unwrap();
    // Created, registered, validate attested, promoted, deployed (by the reconciler).
    assert_eq!(events.lines().count(), 5, "{events}");
    assert!(export.join("data/dev/archive/archive.sqlite").exists() && export.join("releases").is_dir());
    assert!(plane.platform.get(&Plane::scope("busy", Env::Dev)).is_none());
    assert!(matches!(plane.controller.mission(&slug), Err(BackendError::NotFound { .. })));
}
