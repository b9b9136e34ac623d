//! The live WebSocket over a loopback socket (a WebSocket upgrade needs a real connection):
//! subscribe and receive, a client that never reads does not hold up another, a bad
//! subscription is closed with a reason, and the client limit.

use super::fake::{sample, Fake};
use super::*;
use crate::wire::LiveMessage;
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::{self, Message};

type Client = tungstenite::WebSocket<TcpStream>;

const LIVE: &str = "/api/missions/sentinel-x/envs/dev/live";
/// The longest any step of these tests waits.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);

async fn serve(options: RouterOptions) -> (SocketAddr, Arc<Fake>) {
    let fake = Arc::new(Fake::new(1));
    let router = router_with_options(fake.clone(), Gate::with_tokens(tokens(), true), options);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let address = listener.local_addr().expect("a bound address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    (address, fake)
}

fn connect(address: SocketAddr) -> Result<Client, tungstenite::Error> {
    let stream = TcpStream::connect(address).map_err(tungstenite::Error::Io)?;
    stream.set_read_timeout(Some(STEP_TIMEOUT)).map_err(tungstenite::Error::Io)?;
    let url = format!("ws://{address}{LIVE}");
    tungstenite::client(url.as_str(), stream).map(|(client, _)| client).map_err(|error| match error {
        tungstenite::HandshakeError::Failure(error) => error,
        tungstenite::HandshakeError::Interrupted(_) => tungstenite::Error::ConnectionClosed,
    })
}

/// Connects and sends a subscription, in a blocking thread.
async fn subscribe(address: SocketAddr, subscription: &str) -> Client {
    let subscription = subscription.to_string();
    tokio::task::spawn_blocking(move || {
        let mut client = connect(address).expect("the server accepts the WebSocket");
        client.send(Message::text(subscription)).expect("the subscription is sent");
        client
    })
    .await
    .expect("the client thread ends")
}

/// The next text message, in a blocking thread.
async fn read_text(mut client: Client) -> (Client, String) {
    tokio::task::spawn_blocking(move || loop {
        match client.read() {
            Ok(Message::Text(text)) => return (client, text.to_string()),
            Ok(Message::Close(frame)) => return (client, format!("close frame {frame:?}")),
            Ok(_) => continue,
            Err(error) => return (client, format!("error {error}")),
        }
    })
    .await
    .expect("the client thread ends")
}

/// Waits until the fake has `n` subscriptions.
async fn subscriptions(fake: &Fake, n: usize) {
    let started = Instant::now();
    while fake.live.lock().map(|live| live.len()).unwrap_or(0) < n {
        assert!(started.elapsed() < STEP_TIMEOUT, "{n} subscriptions never arrived");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribers_receive_what_the_platform_sends_and_can_resubscribe() {
    let (address, fake) = serve(RouterOptions::default()).await;
    let client = subscribe(address, r#"{"parameters":["BAT/*"]}"#).await;
    subscriptions(&fake, 1).await;
    let sender = fake.live_sender(0).expect("a subscription");
    let message = LiveMessage::Samples { samples: vec![sample("BAT/V", 1, 2.5)], dropped: 3 };
    sender.send(message).await.expect("the server reads the stream");
    let (mut client, text) = read_text(client).await;
    assert_eq!(
        text,
        r#"{"type":"samples","samples":[{"parameter":"BAT/V","time_ms":1,"raw":2,"eng":2.5,"level":"normal","valid":true}],"dropped":3}"#
    );
    let client = tokio::task::spawn_blocking(move || {
        client.send(Message::text(r#"{"alarms":true}"#)).expect("a new subscription is sent");
        client
    })
    .await
    .expect("the client thread ends");
    subscriptions(&fake, 2).await;
    // The server let go of the first stream when the second replaced it.
    tokio::time::timeout(STEP_TIMEOUT, sender.closed()).await.expect("the first stream is dropped");
    let second = fake.live_sender(1).expect("a second subscription");
    second.send(LiveMessage::Closed { reason: "deployment stopped".into() }).await.expect("the server reads");
    let (client, text) = read_text(client).await;
    assert_eq!(text, r#"{"type":"closed","reason":"deployment stopped"}"#);
    let (_, close) = read_text(client).await;
    assert!(close.contains("deployment stopped"), "{close}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_subscription_is_closed_with_its_reason() {
    let (address, fake) = serve(RouterOptions::default()).await;
    let (client, text) = read_text(subscribe(address, r#"{"parameters": "BAT/V"}"#).await).await;
    assert_eq!(
        text,
        r#"{"type":"closed","reason":"subscription: parameters: invalid type: string \"BAT/V\", expected a sequence at line 1 column 22"}"#
    );
    let (client, close) = read_text(client).await;
    assert!(close.contains("Policy"), "{close}");
    drop(client);
    let (_, text) = read_text(subscribe(address, r#"{"parameters": [""]}"#).await).await;
    assert_eq!(text, r#"{"type":"closed","reason":"subscription: parameters: empty name"}"#);
    assert!(fake.live.lock().map(|live| live.is_empty()).unwrap_or(false));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_reads_holds_up_no_one_and_is_closed() {
    let options = RouterOptions { ws_send_timeout: Duration::from_millis(300), ..RouterOptions::default() };
    let (address, fake) = serve(options).await;
    let stuck = subscribe(address, r#"{"parameters":["*"]}"#).await;
    subscriptions(&fake, 1).await;
    let stuck_sender = fake.live_sender(0).expect("a subscription");
    // Far more than loopback socket buffers hold, so the server's sends to it block.
    let big = LiveMessage::Samples {
        samples: vec![crate::wire::SampleDto { eng: serde_json::json!("x".repeat(1 << 20)), ..sample("BIG", 0, 0.0) }],
        dropped: 0,
    };
    let feeder = tokio::spawn(async move {
        for _ in 0..64 {
            if stuck_sender.send(big.clone()).await.is_err() {
                return true; // The server dropped the stuck client's stream.
            }
        }
        false
    });
    let reader = subscribe(address, r#"{"parameters":["BAT/V"]}"#).await;
    subscriptions(&fake, 2).await;
    let message = LiveMessage::Samples { samples: vec![sample("BAT/V", 7, 1.0)], dropped: 0 };
    fake.live_sender(1).expect("a second subscription").send(message).await.expect("the server reads");
    let (_reader, text) = read_text(reader).await;
    assert!(text.contains("\"time_ms\":7"), "{text}");
    let dropped = tokio::time::timeout(STEP_TIMEOUT, feeder).await.expect("the feeder ends").expect("no panic");
    assert!(dropped, "the stuck client was never closed");
    drop(stuck);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_above_the_limit_get_503() {
    let (address, _fake) = serve(RouterOptions { ws_clients_max: 1, ..RouterOptions::default() }).await;
    let first = subscribe(address, "{}").await;
    let refused = tokio::task::spawn_blocking(move || connect(address)).await.expect("the client thread ends");
    match refused {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 503);
            let body = String::from_utf8_lossy(response.body().as_deref().unwrap_or_default()).into_owned();
            assert!(body.contains("too many WebSocket clients (at most 1)"), "{body}");
        }
        other => panic!("expected a 503, got {:?}", other.map(|_| "a connection")),
    }
    drop(first);
}
