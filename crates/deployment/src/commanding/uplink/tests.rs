//! The uplink against a fake ground station on loopback: a login is the first line of every
//! connection, before any telecommand, and never shows in a message.

use super::{start, Outgoing};
use crate::commanding::{UplinkFraming, UplinkLogin, UplinkSpec};
use crate::ingest::Input;
use crate::Transport;
use std::sync::Arc;
use tc::lifecycle::CommandId;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use vault::SecretValue;

const PASSWORD: &[u8] = b"gs-kiruna-Hx81-planted";

fn spec(address: String, login: Option<UplinkLogin>) -> UplinkSpec {
    UplinkSpec { transport: Transport::Tcp, address, framing: UplinkFraming::Packets, login }
}

#[tokio::test]
async fn a_tcp_uplink_logs_in_first_then_sends_its_telecommands() {
    let station = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = station.local_addr().unwrap().to_string();
    let login = UplinkLogin::new("gs-kiruna.password", SecretValue::new(PASSWORD.to_vec())).unwrap();
    assert!(!format!("{login:?}").contains("Hx81"), "{login:?}");
    let (inputs, mut answers) = mpsc::channel(8);
    let (uplink, task) = start(spec(address, Some(login)), None, inputs, Arc::new(|| 5));
    assert!(uplink.send(Outgoing { id: CommandId(1), bytes: vec![0x18, 1, 0xC0] }));
    let (socket, _) = station.accept().await.unwrap();
    let mut reader = BufReader::new(socket);
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line).await.unwrap();
    assert_eq!(line, [b"LOGIN ".as_slice(), PASSWORD, b"\n"].concat());
    // Then the telecommands, back to back on the same connection, with no second login.
    assert!(uplink.send(Outgoing { id: CommandId(2), bytes: vec![0x18, 2, 0xC0] }));
    let mut commands = [0u8; 6];
    reader.read_exact(&mut commands).await.unwrap();
    assert_eq!(commands, [0x18, 1, 0xC0, 0x18, 2, 0xC0]);
    for _ in 0..2 {
        match answers.recv().await {
            Some(Input::Uplinked { result, .. }) => assert_eq!(result, Ok(3)),
            _ => panic!("no answer from the uplink"),
        }
    }
    task.abort();
}

#[test]
fn a_login_with_a_line_break_is_refused_without_showing_it() {
    let error = UplinkLogin::new("gs.password", SecretValue::new(b"two\nlines-Qz".to_vec())).unwrap_err();
    assert_eq!(error, "secret gs.password: holds a line break, so it cannot be sent as a LOGIN line");
}
