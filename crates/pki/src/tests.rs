//! The CA, SPIFFE ids and mutual TLS, with handshakes driven in memory (no sockets).

use crate::*;
use expect_test::{expect, Expect};
use rustls::pki_types::CertificateDer;
use rustls::{ClientConnection, ServerConnection};
use std::sync::Arc;

/// 2027-01-15, ms since the Unix epoch.
const T0: u64 = 1_800_000_000_000;
const HOUR_MS: u64 = 3_600_000;
const TD: &str = "groundplane.local";

fn clock(now_ms: u64) -> Clock {
    Arc::new(move || now_ms)
}

fn id(text: &str) -> SpiffeId {
    text.parse().unwrap()
}

fn issue(ca: &Authority, text: &str, now_ms: u64) -> Issued {
    ca.issue(&id(text), TTL_DEFAULT_MS, now_ms).unwrap()
}

fn source(issued: &Issued) -> Arc<CertSource> {
    Arc::new(CertSource::new(issued).unwrap())
}

const LINK: &str = "spiffe://groundplane.local/mission/sentinel-x/env/dev/link-tm";
const SIM: &str = "spiffe://groundplane.local/mission/sentinel-x/env/dev/simulator";

/// What each side of a handshake concluded.
struct Outcome {
    /// The client's certificates as the server saw them, or why the server refused.
    server: Result<Vec<CertificateDer<'static>>, rustls::Error>,
    client: Result<(), rustls::Error>,
}

/// A handshake between a server of `server_ca` presenting `server_cert` (mutual TLS) and a
/// client presenting `client_cert`, trusting `client_ca`, expecting the server `expected`, at `now_ms`.
fn handshake(server: (&Authority, &Issued), client: (&Authority, &Issued), expected: Expected, now_ms: u64) -> Outcome {
    let server_config =
        server_config(&server.0.bundle(), source(server.1), Requirement::Mutual, clock(now_ms)).unwrap();
    let client_config = client_config(&client.0.bundle(), source(client.1), expected, clock(now_ms)).unwrap();
    drive(server_config, client_config)
}

fn drive(server_config: Arc<rustls::ServerConfig>, client_config: Arc<rustls::ClientConfig>) -> Outcome {
    let mut server = ServerConnection::new(server_config).unwrap();
    let mut client = ClientConnection::new(client_config, server_name()).unwrap();
    let (mut server_result, mut client_result) = (Ok(()), Ok(()));
    for _round in 0..10 {
        let mut wire = Vec::new();
        client.write_tls(&mut wire).unwrap();
        if !wire.is_empty() && server_result.is_ok() {
            server.read_tls(&mut wire.as_slice()).unwrap();
            server_result = server.process_new_packets().map(|_| ());
        }
        let mut wire = Vec::new();
        server.write_tls(&mut wire).unwrap();
        if !wire.is_empty() && client_result.is_ok() {
            client.read_tls(&mut wire.as_slice()).unwrap();
            client_result = client.process_new_packets().map(|_| ());
        }
        if server_result.is_err() || client_result.is_err() {
            break;
        }
        if !server.is_handshaking() && !client.is_handshaking() {
            break;
        }
    }
    let server = server_result.and_then(|()| match server.is_handshaking() {
        true => Err(rustls::Error::General("the handshake did not finish".into())),
        false => {
            Ok(server.peer_certificates().unwrap_or_default().iter().map(|cert| cert.clone().into_owned()).collect())
        }
    });
    Outcome { server, client: client_result }
}

fn own_scope() -> Expected {
    Expected::scope(TD, &base::Scope { mission: "sentinel-x".parse().unwrap(), env: base::Env::Dev })
}

#[test]
fn a_good_handshake_gives_the_peer_spiffe_id() {
    let ca = Authority::create(TD, T0).unwrap();
    let (link, sim) = (issue(&ca, LINK, T0), issue(&ca, SIM, T0));
    let outcome = handshake((&ca, &link), (&ca, &sim), Expected::exactly(&id(LINK)), T0 + HOUR_MS);
    outcome.client.unwrap();
    let certs = outcome.server.unwrap();
    let peer = authorize_peer(Some(&certs), &own_scope(), T0 + HOUR_MS).unwrap();
    assert_eq!(peer.to_string(), SIM);
}

#[test]
fn a_client_certificate_of_another_ca_is_refused() {
    let ca = Authority::create(TD, T0).unwrap();
    let link = issue(&ca, LINK, T0);
    // A forgery: a CA of the same name (same trust domain) signed the same id.
    let forger = Authority::create(TD, T0).unwrap();
    let forged = issue(&forger, SIM, T0);
    let outcome = handshake((&ca, &link), (&ca, &forged), Expected::exactly(&id(LINK)), T0);
    let error = outcome.server.unwrap_err();
    assert_eq!(rejection_of(&error), Rejection::BadSignature, "{error}");
    // A CA of another trust domain is not known at all.
    let foreign_ca = Authority::create("other.example", T0).unwrap();
    let foreign = issue(&foreign_ca, "spiffe://other.example/mission/sentinel-x/env/dev/simulator", T0);
    let outcome = handshake((&ca, &link), (&ca, &foreign), Expected::exactly(&id(LINK)), T0);
    assert_eq!(rejection_of(&outcome.server.unwrap_err()), Rejection::UnknownIssuer);
}

#[test]
fn an_expired_client_certificate_is_refused() {
    let ca = Authority::create(TD, T0).unwrap();
    let link = issue(&ca, LINK, T0);
    // Issued two days ago for a day.
    let expired = issue(&ca, SIM, T0 - 48 * HOUR_MS);
    let outcome = handshake((&ca, &link), (&ca, &expired), Expected::exactly(&id(LINK)), T0);
    let error = outcome.server.unwrap_err();
    assert_eq!(rejection_of(&error), Rejection::Expired, "{error}");
    assert_eq!(peer_identity(&expired.cert_der, T0), Err(Rejection::Expired));
}

#[test]
fn a_client_certificate_not_yet_valid_is_refused() {
    let ca = Authority::create(TD, T0).unwrap();
    let link = issue(&ca, LINK, T0);
    let early = issue(&ca, SIM, T0 + HOUR_MS);
    let outcome = handshake((&ca, &link), (&ca, &early), Expected::exactly(&id(LINK)), T0);
    assert_eq!(rejection_of(&outcome.server.unwrap_err()), Rejection::NotYetValid);
}

#[test]
fn a_certificate_of_another_mission_or_env_is_refused_by_authorize_peer() {
    let ca = Authority::create(TD, T0).unwrap();
    let link = issue(&ca, LINK, T0);
    let check = |client: &str| {
        let cert = issue(&ca, client, T0);
        let outcome = handshake((&ca, &link), (&ca, &cert), Expected::exactly(&id(LINK)), T0);
        // The chain is the platform's: the handshake passes, the identity does not.
        let certs = outcome.server.unwrap();
        authorize_peer(Some(&certs), &own_scope(), T0).unwrap_err().to_string()
    };
    assert_eq!(
        check("spiffe://groundplane.local/mission/other-sat/env/dev/simulator"),
        "spiffe://groundplane.local/mission/other-sat/env/dev/simulator is of another mission (expected `sentinel-x`)"
    );
    assert_eq!(
        check("spiffe://groundplane.local/mission/sentinel-x/env/ops/station-kiruna"),
        "spiffe://groundplane.local/mission/sentinel-x/env/ops/station-kiruna is of another environment (expected `dev`)"
    );
    assert_eq!(authorize_peer(None, &own_scope(), T0), Err(Rejection::NoCertificate));
    let mut only_stations = own_scope();
    only_stations.components = Some(vec!["station-kiruna".into()]);
    let sim = issue(&ca, SIM, T0);
    let refused = authorize_peer(Some(&[CertificateDer::from(sim.cert_der.clone())]), &only_stations, T0);
    assert_eq!(refused.unwrap_err().kind(), "component_not_allowed");
    let other_domain = id("spiffe://other.example/mission/sentinel-x/env/dev/simulator");
    assert_eq!(own_scope().check(&other_domain).unwrap_err().kind(), "other_trust_domain");
}

#[test]
fn the_client_refuses_a_server_certificate_of_another_identity() {
    let ca = Authority::create(TD, T0).unwrap();
    let sim = issue(&ca, SIM, T0);
    let impostor = issue(&ca, "spiffe://groundplane.local/mission/other-sat/env/dev/link-tm", T0);
    let outcome = handshake((&ca, &impostor), (&ca, &sim), Expected::exactly(&id(LINK)), T0);
    let error = outcome.client.unwrap_err();
    assert_eq!(rejection_of(&error).kind(), "other_mission", "{error}");
    // And a server whose certificate is of another CA.
    let forger = Authority::create(TD, T0).unwrap();
    let forged = issue(&forger, LINK, T0);
    let outcome = handshake((&forger, &forged), (&ca, &sim), Expected::exactly(&id(LINK)), T0);
    assert_eq!(rejection_of(&outcome.client.unwrap_err()), Rejection::BadSignature);
    assert!(outcome.server.is_err(), "the server does not finish either");
}

#[test]
fn rotation_is_due_after_two_thirds_of_the_lifetime() {
    let (issued_at, not_after) = (T0, T0 + 24 * HOUR_MS);
    assert!(!rotation_due(issued_at, not_after, T0));
    assert!(!rotation_due(issued_at, not_after, T0 + 16 * HOUR_MS - 1));
    assert!(rotation_due(issued_at, not_after, T0 + 16 * HOUR_MS));
    assert!(rotation_due(issued_at, not_after, not_after + 1));
}

#[test]
fn a_handshake_after_rotation_presents_the_new_certificate() {
    let ca = Authority::create(TD, T0).unwrap();
    let link = source(&issue(&ca, LINK, T0));
    let sim = issue(&ca, SIM, T0);
    let serial_before = link.serial();
    assert!(!link.rotate_if_due(&ca, TTL_DEFAULT_MS, T0 + HOUR_MS).unwrap());
    let later = T0 + 17 * HOUR_MS;
    let server_config = |now_ms| server_config(&ca.bundle(), link.clone(), Requirement::Mutual, clock(now_ms)).unwrap();
    let client = || client_config(&ca.bundle(), source(&sim), Expected::exactly(&id(LINK)), clock(later)).unwrap();
    let outcome = drive(server_config(later), client());
    outcome.client.unwrap();
    outcome.server.unwrap();
    assert!(link.rotate_if_due(&ca, TTL_DEFAULT_MS, later).unwrap());
    assert_ne!(link.serial(), serial_before);
    assert_eq!(link.not_after_ms(), (later + TTL_DEFAULT_MS) / 1000 * 1000);
    // The client sees the new certificate: check it from the client side.
    let mut server = ServerConnection::new(server_config(later)).unwrap();
    let mut client_connection = ClientConnection::new(client(), server_name()).unwrap();
    while client_connection.is_handshaking() || server.is_handshaking() {
        let mut wire = Vec::new();
        client_connection.write_tls(&mut wire).unwrap();
        server.read_tls(&mut wire.as_slice()).unwrap();
        server.process_new_packets().unwrap();
        let mut wire = Vec::new();
        server.write_tls(&mut wire).unwrap();
        client_connection.read_tls(&mut wire.as_slice()).unwrap();
        client_connection.process_new_packets().unwrap();
    }
    let presented = client_connection.peer_certificates().unwrap()[0].to_vec();
    assert_eq!(serial_hex(&presented), link.serial());
}

#[test]
fn the_authority_survives_pem_and_keeps_issuing_for_its_bundle() {
    let ca = Authority::create(TD, T0).unwrap();
    let (cert_pem, key_pem) = ca.to_pem();
    let loaded = Authority::from_pem(&cert_pem, &key_pem).unwrap();
    assert_eq!(loaded.trust_domain(), TD);
    assert_eq!(loaded.cert_der(), ca.cert_der());
    assert_eq!(loaded.not_after_ms(), ca.not_after_ms());
    assert_eq!(ca.not_after_ms(), T0 + CA_VALIDITY_MS);
    // Certificates of the loaded CA chain to the original's certificate.
    let (link, sim) = (issue(&ca, LINK, T0), issue(&loaded, SIM, T0));
    let outcome = handshake((&ca, &link), (&ca, &sim), Expected::exactly(&id(LINK)), T0);
    outcome.client.unwrap();
    outcome.server.unwrap();
    let other = Authority::create(TD, T0).unwrap();
    let (_, other_key) = other.to_pem();
    assert!(matches!(Authority::from_pem(&cert_pem, &other_key), Err(PkiError::KeyMismatch)));
    assert!(matches!(Authority::from_pem("nothing", &key_pem), Err(PkiError::Pem { .. })));
    assert_eq!(TrustBundle::from_pem(&cert_pem).unwrap(), ca.bundle());
    // An issued certificate and key survive PEM too (what a ground station is given).
    let (cert_pem, key_pem) = sim.to_pem();
    let back = Issued::from_pem(&cert_pem, &key_pem).unwrap();
    assert_eq!(
        (back.id.to_string(), back.serial(), back.not_after_ms),
        (SIM.to_string(), sim.serial(), sim.not_after_ms)
    );
    assert_eq!(*back.key_der, *sim.key_der);
    assert!(!format!("{ca:?}{sim:?}").contains(&*key_pem), "keys print as [redacted]");
    for len in [0, 1, 2, 3, 4, 5, 63, 64, 65, 300] {
        let der: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
        assert_eq!(crate::authority::pem_roundtrip(&der).unwrap(), der, "length {len}");
    }
}

#[test]
fn issuing_checks_lifetime_and_trust_domain() {
    let ca = Authority::create(TD, T0).unwrap();
    let too_long = ca.issue(&id(SIM), TTL_MAX_MS + 1, T0).unwrap_err();
    assert!(matches!(too_long, PkiError::Ttl { .. }), "{too_long}");
    let foreign = ca.issue(&id("spiffe://other.example/mission/a/env/dev/b"), TTL_DEFAULT_MS, T0).unwrap_err();
    assert!(matches!(foreign, PkiError::ForeignId { .. }), "{foreign}");
    assert!(matches!(Authority::create("Bad Domain", T0), Err(PkiError::TrustDomain { .. })));
    let issued = ca.issue(&id(SIM), TTL_MAX_MS, T0).unwrap();
    assert_eq!(peer_identity(&issued.cert_der, T0 + TTL_MAX_MS - 1000).unwrap().to_string(), SIM);
}

#[track_caller]
fn check_id(text: &str, expect: Expect) {
    let result = text.parse::<SpiffeId>();
    if let Ok(id) = &result {
        assert_eq!(id.to_string(), text, "Display gives the text back");
    }
    expect.assert_eq(&match result {
        Ok(id) => format!("ok {} {} {} {}", id.trust_domain, id.mission, id.env, id.component),
        Err(error) => error.to_string(),
    });
}

#[test]
fn spiffe_ids_are_parsed_and_every_malformed_part_named() {
    check_id(SIM, expect!["ok groundplane.local sentinel-x dev simulator"]);
    check_id(
        "https://groundplane.local/mission/a/env/dev/c",
        expect!["SPIFFE id `https://groundplane.local/mission/a/env/dev/c`: must start with `spiffe://`"],
    );
    check_id(
        "spiffe:///mission/a/env/dev/c",
        expect!["SPIFFE id `spiffe:///mission/a/env/dev/c`: trust domain: empty"],
    );
    check_id("spiffe://Ground.Plane/mission/a/env/dev/c", expect!["SPIFFE id `spiffe://Ground.Plane/mission/a/env/dev/c`: trust domain: only lowercase letters, digits, '.', '-' and '_' are allowed"]);
    check_id(
        "spiffe://td:443/mission/a/env/dev/c",
        expect!["SPIFFE id `spiffe://td:443/mission/a/env/dev/c`: no query, fragment, port or user info is allowed"],
    );
    check_id(
        "spiffe://td/mission/a/env/dev/c?x=1",
        expect!["SPIFFE id `spiffe://td/mission/a/env/dev/c?x=1`: no query, fragment, port or user info is allowed"],
    );
    check_id("spiffe://td", expect!["SPIFFE id `spiffe://td`: path must be /mission/<mission>/env/<env>/<component>"]);
    check_id(
        "spiffe://td/mission/a/env/dev",
        expect!["SPIFFE id `spiffe://td/mission/a/env/dev`: path must be /mission/<mission>/env/<env>/<component>"],
    );
    check_id(
        "spiffe://td/mission/a/env/dev/c/",
        expect!["SPIFFE id `spiffe://td/mission/a/env/dev/c/`: path must be /mission/<mission>/env/<env>/<component>"],
    );
    check_id(
        "spiffe://td/missions/a/env/dev/c",
        expect!["SPIFFE id `spiffe://td/missions/a/env/dev/c`: path must be /mission/<mission>/env/<env>/<component>"],
    );
    check_id("spiffe://td/mission/A-Sat/env/dev/c", expect!["SPIFFE id `spiffe://td/mission/A-Sat/env/dev/c`: mission slug `A-Sat`: only lowercase letters, digits and '-' are allowed"]);
    check_id(
        "spiffe://td/mission//env/dev/c",
        expect!["SPIFFE id `spiffe://td/mission//env/dev/c`: mission slug ``: must be 1 to 40 characters"],
    );
    check_id(
        "spiffe://td/mission/a/env/prod/c",
        expect!["SPIFFE id `spiffe://td/mission/a/env/prod/c`: environment `prod`: expected one of dev, aiv, ops"],
    );
    check_id("spiffe://td/mission/a/env/dev/", expect!["SPIFFE id `spiffe://td/mission/a/env/dev/`: component: empty"]);
    check_id(
        "spiffe://td/mission/a/env/dev/..",
        expect!["SPIFFE id `spiffe://td/mission/a/env/dev/..`: component: `.` and `..` are not names"],
    );
    check_id("spiffe://td/mission/a/env/dev/Sim", expect!["SPIFFE id `spiffe://td/mission/a/env/dev/Sim`: component: only lowercase letters, digits, '.', '-' and '_' are allowed"]);
    let long = format!("spiffe://td/mission/a/env/dev/{}", "c".repeat(64));
    assert!(long.parse::<SpiffeId>().unwrap_err().to_string().ends_with("component: longer than 63 bytes"));
    let huge = format!("spiffe://{}/mission/a/env/dev/c", "d".repeat(3000));
    assert!(matches!(huge.parse::<SpiffeId>(), Err(SpiffeError::TooLong { .. })));
    let scope = base::Scope { mission: "sentinel-x".parse().unwrap(), env: base::Env::Dev };
    assert_eq!(SpiffeId::new(TD, &scope, "simulator").unwrap().to_string(), SIM);
}
