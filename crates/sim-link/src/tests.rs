//! Endpoint syntax and framing checks.

use crate::{Endpoint, TmFraming, Transport};

#[test]
fn endpoints() {
    let cases = [
        ("udp:127.0.0.1:10015", Ok((Transport::Udp, "127.0.0.1:10015"))),
        ("tcp:localhost:0", Ok((Transport::Tcp, "localhost:0"))),
        ("tcp:[::1]:7000", Ok((Transport::Tcp, "[::1]:7000"))),
        (
            "127.0.0.1:10015",
            Err("endpoint `127.0.0.1:10015`: unknown transport `127.0.0.1`: expected udp:HOST:PORT or tcp:HOST:PORT"),
        ),
        ("udp", Err("endpoint `udp`: expected udp:HOST:PORT or tcp:HOST:PORT")),
        ("udp:10015", Err("endpoint `udp:10015`: expected udp:HOST:PORT or tcp:HOST:PORT")),
        ("udp::10015", Err("endpoint `udp::10015`: no host: expected udp:HOST:PORT or tcp:HOST:PORT")),
        (
            "sctp:host:1",
            Err("endpoint `sctp:host:1`: unknown transport `sctp`: expected udp:HOST:PORT or tcp:HOST:PORT"),
        ),
        ("tcp:host:70000", Err("endpoint `tcp:host:70000`: port `70000` is not a number from 0 to 65535")),
    ];
    for (text, expected) in cases {
        let parsed = text.parse::<Endpoint>().map_err(|e| e.to_string());
        let expected = expected.map(|(transport, address)| Endpoint { transport, address: address.to_string() });
        assert_eq!(parsed, expected.map_err(str::to_string), "{text}");
    }
    let endpoint: Endpoint = "udp:127.0.0.1:1".parse().expect("endpoint");
    assert_eq!(endpoint.to_string(), "udp:127.0.0.1:1");
}

#[test]
fn framing_check_names_the_problem() {
    assert!(TmFraming::Packets.check().is_ok());
    let frames = TmFraming::Frames { frame_len: 1115, spacecraft_id: 42, virtual_channel: 0, fecf: true };
    assert!(frames.check().is_ok());
    let bad = TmFraming::Frames { frame_len: 4000, spacecraft_id: 42, virtual_channel: 0, fecf: true };
    assert_eq!(
        bad.check().map_err(|e| e.to_string()),
        Err("TM frames: frame length 4000: must be 15 to 2048 bytes".into())
    );
}
