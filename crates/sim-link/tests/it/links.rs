//! Loopback links: TM as packets and frames over UDP and TCP, telecommands as packets and
//! frames over UDP and TCP, garbage, and a TM connection that drops.

use crate::{clock, mib_simulator, ping, pus_simulator, wait_for, TmReader, TmSource};
use ccsds::{DemuxConfig, FrameConfig, FrameDemux};
use sim_link::{Endpoint, RunningSim, SimLink, TcFraming, TmFraming, Transport};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream, UdpSocket};

const TICK_MS: u64 = 10;
pub const ANSWERS: [&str; 3] = ["TM[1,1] Acceptance success=true", "TM[17,2]", "TM[1,7] Completion success=true"];

fn endpoint(transport: Transport, address: impl ToString) -> Endpoint {
    Endpoint { transport, address: address.to_string() }
}

/// A simulator with its TC side on a free loopback port, sending TM to `tm`.
async fn start(sim: sim::Simulator, tc: (Transport, TcFraming), tm: Endpoint, framing: TmFraming) -> RunningSim {
    let link = SimLink::bind(&endpoint(tc.0, "127.0.0.1:0"), tc.1).await.expect("bind");
    link.run(sim, tm, framing, TICK_MS, clock())
}

/// A UDP socket for TM and its endpoint.
async fn tm_socket() -> (UdpSocket, Endpoint) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    let address = socket.local_addr().expect("address");
    (socket, endpoint(Transport::Udp, address))
}

async fn send_udp(to: std::net::SocketAddr, bytes: &[u8]) {
    let socket = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
    socket.send_to(bytes, to).await.expect("send");
}

#[tokio::test]
async fn udp_packets_and_a_ping_over_udp_and_tcp() {
    let sim = pus_simulator();
    let layout = sim.pus_layout();
    let (socket, tm) = tm_socket().await;
    let running = start(sim, (Transport::Udp, TcFraming::Packets), tm, TmFraming::Packets).await;
    let mut reader = TmReader::new(TmSource::Udp(socket), None);
    for _ in 0..5 {
        reader.packet().await;
    }
    let tc = ping(100, 1);
    send_udp(running.tc_local(), &tc).await;
    assert_eq!(reader.answers(&layout, &tc).await, ANSWERS);
    running.stop().await;

    // The same over a TCP client, the ping cut in two writes.
    let sim = pus_simulator();
    let (socket, tm) = tm_socket().await;
    let running = start(sim, (Transport::Tcp, TcFraming::Packets), tm, TmFraming::Packets).await;
    let mut reader = TmReader::new(TmSource::Udp(socket), None);
    let mut client = TcpStream::connect(running.tc_local()).await.expect("connect");
    let tc = ping(100, 2);
    client.write_all(&tc[..5]).await.expect("write");
    client.flush().await.expect("flush");
    wait_for(&running, "the connection", |c| c.connections == 1).await;
    client.write_all(&tc[5..]).await.expect("write");
    assert_eq!(reader.answers(&layout, &tc).await, ANSWERS);
    assert_eq!((running.counters().tc_received, running.counters().tc_invalid), (1, 0));
}

#[tokio::test]
async fn tc_frames_in_and_tm_frames_out() {
    let frame_len = 64;
    let framing = TmFraming::Frames { frame_len, spacecraft_id: 0x2A, virtual_channel: 1, fecf: true };
    let demux =
        FrameDemux::new(DemuxConfig { frame: FrameConfig { frame_len, fecf: true }, spacecraft_id: Some(0x2A) });
    for transport in [Transport::Udp, Transport::Tcp] {
        let sim = mib_simulator();
        let layout = sim.pus_layout();
        let (socket, tm) = tm_socket().await;
        let running = start(sim, (transport, TcFraming::Frames { fecf: true }), tm, framing).await;
        let mut reader = TmReader::new(TmSource::Udp(socket), Some(demux.clone()));
        let tc = ping(1234, 3);
        let frame = tc::frame::tc_frame(0x2A, 0, 0, true, &tc, true).expect("frame");
        // A TCP client is kept open until the answers are in.
        let mut client = None;
        match transport {
            Transport::Udp => send_udp(running.tc_local(), &frame).await,
            Transport::Tcp => {
                let stream = client.insert(TcpStream::connect(running.tc_local()).await.expect("connect"));
                stream.write_all(&frame).await.expect("write");
            }
        }
        assert_eq!(reader.answers(&layout, &tc).await, ANSWERS, "{transport}");
        let counters = reader.demux.as_ref().expect("demux").counters().clone();
        assert_eq!((counters.gaps, counters.invalid_total()), (0, 0), "{transport}: {counters:?}");
        assert!(counters.idle_packets > 0, "{transport}: partial frames are closed by idle packets");
        running.stop().await;
        drop(client);
    }
}

#[tokio::test]
async fn garbage_is_counted_and_the_simulator_keeps_answering() {
    let sim = mib_simulator();
    let layout = sim.pus_layout();
    let (socket, tm) = tm_socket().await;
    let running = start(sim, (Transport::Udp, TcFraming::Packets), tm, TmFraming::Packets).await;
    let mut reader = TmReader::new(TmSource::Udp(socket), None);
    send_udp(running.tc_local(), b"this is no telecommand").await;
    let tc = ping(1234, 4);
    send_udp(running.tc_local(), &tc).await;
    assert_eq!(reader.answers(&layout, &tc).await, ANSWERS);
    assert_eq!((running.counters().tc_invalid, running.counters().tc_received), (1, 1));
    running.stop().await;

    // A TCP stream that loses sync is closed; the next client is served.
    let sim = mib_simulator();
    let (socket, tm) = tm_socket().await;
    let running = start(sim, (Transport::Tcp, TcFraming::Packets), tm, TmFraming::Packets).await;
    let mut reader = TmReader::new(TmSource::Udp(socket), None);
    let mut garbage = TcpStream::connect(running.tc_local()).await.expect("connect");
    garbage.write_all(&[0xFF; 40]).await.expect("write");
    wait_for(&running, "the garbage", |c| c.tc_invalid == 1).await;
    let mut client = TcpStream::connect(running.tc_local()).await.expect("connect");
    let tc = ping(1234, 5);
    client.write_all(&tc).await.expect("write");
    assert_eq!(reader.answers(&layout, &tc).await, ANSWERS);
    assert_eq!(running.counters().connections, 2);
}

#[tokio::test]
async fn tcp_tm_reconnects_after_the_connection_drops() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let tm = endpoint(Transport::Tcp, listener.local_addr().expect("address"));
    let running = start(mib_simulator(), (Transport::Udp, TcFraming::Packets), tm, TmFraming::Packets).await;
    for connection in 1..=2 {
        let (stream, _) =
            tokio::time::timeout(crate::WAIT, listener.accept()).await.expect("connects").expect("accept");
        let mut reader = TmReader::new(TmSource::Tcp(stream), None);
        for _ in 0..3 {
            reader.packet().await;
        }
        assert_eq!(running.counters().connections, connection);
        // Dropping the reader closes this connection.
    }
}

#[tokio::test]
async fn tm_without_a_peer_is_dropped_and_telecommands_still_arrive() {
    let closed = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let tm = endpoint(Transport::Tcp, closed.local_addr().expect("address"));
    drop(closed);
    let running = start(mib_simulator(), (Transport::Udp, TcFraming::Packets), tm, TmFraming::Packets).await;
    send_udp(running.tc_local(), &ping(1234, 6)).await;
    wait_for(&running, "the ping and dropped TM", |c| c.tc_received == 1 && c.tm_dropped > 0).await;
    assert_eq!((running.counters().tm_sent, running.counters().connections), (0, 0));
}

#[tokio::test]
async fn answers_do_not_wait_for_the_next_tick() {
    let sim = mib_simulator();
    let layout = sim.pus_layout();
    let (socket, tm) = tm_socket().await;
    let link = SimLink::bind(&endpoint(Transport::Udp, "127.0.0.1:0"), TcFraming::Packets).await.expect("bind");
    // One tick at the start, the next in an hour: only an immediate answer can arrive.
    let running = link.run(sim, tm, TmFraming::Packets, 3_600_000, clock());
    let mut reader = TmReader::new(TmSource::Udp(socket), None);
    let tc = ping(1234, 7);
    send_udp(running.tc_local(), &tc).await;
    assert_eq!(reader.answers(&layout, &tc).await, ANSWERS);
}

/// A simulator replaced while it runs (a deployment's model changed): the same TC port and TM
/// destination, the new model's packets from then on, and the new simulator answers pings.
#[tokio::test]
async fn a_replaced_simulator_continues_on_the_same_sockets() {
    let (socket, tm) = tm_socket().await;
    let running = start(pus_simulator(), (Transport::Udp, TcFraming::Packets), tm, TmFraming::Packets).await;
    let mut reader = TmReader::new(TmSource::Udp(socket), None);
    let apid = |packet: &[u8]| ccsds::PacketHeader::parse(packet, 0).expect("a packet").apid;
    for _ in 0..3 {
        assert_ne!(apid(&reader.packet().await), 1234, "the PUS example's simulator sends no APID 1234");
    }
    let tc_port = running.tc_local();
    let mib = mib_simulator();
    let layout = mib.pus_layout();
    running.replace(mib).expect("a replacement");
    let mut seen = false;
    for _ in 0..200 {
        if apid(&reader.packet().await) == 1234 {
            seen = true;
            break;
        }
    }
    assert!(seen, "the MIB's housekeeping (APID 1234) after the replacement");
    assert_eq!(running.tc_local(), tc_port);
    let tc = ping(1234, 9);
    send_udp(tc_port, &tc).await;
    assert_eq!(reader.answers(&layout, &tc).await, ANSWERS);
    running.stop().await;
}
