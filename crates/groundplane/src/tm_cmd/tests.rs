//! `tm decode` on real captures, through the same functions the command calls.

use super::decode::{decode, Options, Summary};
use super::output::Writer;
use super::{Format, Framing};
use std::io::Read;
use test_utils::real;

const JPSS_MODEL: &str = "lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml";
const JPSS_DATA: &str = "lasp-space_packet_parser/jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1";
const IDEX_MODEL: &str = "lasp-space_packet_parser/idex/idex_combined_science_definition.xml";
const SUDA_DATA: &str = "lasp-space_packet_parser/suda/sciData_2022_130_17_41_53.spl";

fn plan(model: &str) -> tm::Plan {
    let loaded = crate::cli::load_model(&real(model)).unwrap();
    tm::Plan::compile(&loaded.result.expect("the model imports").model).unwrap()
}

fn options(framing: Framing, prefix_len: usize, format: Format) -> Options {
    Options { framing, prefix_len, frame_len: None, fecf: true, format }
}

/// Gives the bytes in pieces of `piece` bytes, to test every chunk boundary.
struct Pieces<'a> {
    bytes: &'a [u8],
    piece: usize,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.piece.min(buf.len()).min(self.bytes.len());
        buf[..n].copy_from_slice(&self.bytes[..n]);
        self.bytes = &self.bytes[n..];
        Ok(n)
    }
}

fn run(plan: &tm::Plan, bytes: &[u8], piece: usize, options: &Options) -> (String, Summary) {
    let mut writer = Writer::new(Vec::new(), options.format).unwrap();
    let summary = decode(Pieces { bytes, piece }, plan, options, &mut writer, &mut |_| {}).unwrap();
    (String::from_utf8(writer.finish().unwrap()).unwrap(), summary)
}

#[test]
fn jpss_decodes_every_packet() {
    let plan = plan(JPSS_MODEL);
    let bytes = std::fs::read(real(JPSS_DATA)).unwrap();
    let (csv, summary) = run(&plan, &bytes, 1 << 20, &options(Framing::Packets, 0, Format::Csv));
    // SOURCES.md: 7200 packets of 71 bytes; the model has 27 parameters in each.
    assert_eq!((summary.packets, summary.samples, summary.bytes), (7200, 7200 * 27, 511_200));
    assert!(summary.invalid.is_empty(), "{:?}", summary.invalid);
    assert_eq!(csv.lines().count(), 1 + 7200 * 27);
    assert!(csv.lines().nth(4).unwrap().ends_with(",/JPSS_Geolocation_Packets/PKT_APID,0,11,11,normal,"));
}

#[test]
fn suda_with_prefix_any_chunking_same_output() {
    let plan = plan(IDEX_MODEL);
    let bytes = std::fs::read(real(SUDA_DATA)).unwrap();
    let options = options(Framing::Packets, 4, Format::Json);
    let (whole, summary) = run(&plan, &bytes, 1 << 20, &options);
    assert_eq!(summary.packets, 13, "SOURCES.md: 13 SUDA packets");
    for piece in [1, 7, 4096] {
        assert_eq!(run(&plan, &bytes, piece, &options).0, whole, "pieces of {piece}");
    }
    let first: serde_json::Value = serde_json::from_str(whole.lines().next().unwrap()).unwrap();
    assert_eq!(first["unit"], 0);
    assert!(first["container"].as_str().unwrap().starts_with("/IDEX/"));
}

#[test]
fn a_truncated_capture_ends_with_an_invalid_unit() {
    let plan = plan(JPSS_MODEL);
    let bytes = std::fs::read(real(JPSS_DATA)).unwrap();
    let cut = &bytes[..71 * 3 + 30];
    let (csv, summary) = run(&plan, cut, 64, &options(Framing::Packets, 0, Format::Csv));
    assert_eq!(summary.packets, 3);
    assert_eq!(csv.lines().last().unwrap(), "3,213,,,,,,,truncated (30 bytes)");
}

#[test]
fn nctrs_frames_through_the_mib() {
    // The four frames carry PUS TM(3,25) packets of APID 1234 that are shorter than the MIB's
    // packet definition for that key: each is kept and listed invalid with the reason, at the
    // offset of the frame that carried it (after its 20-byte NCTRS header).
    let plan = plan("spacepylibrary/mib-ascii");
    let bytes = std::fs::read(real("spacepylibrary/tmFiles/TMframes3.bin")).unwrap();
    let (csv, summary) = run(&plan, &bytes, 100, &options(Framing::Nctrs, 0, Format::Csv));
    assert_eq!(summary.bytes, 4540);
    assert_eq!((summary.packets, summary.gaps), (0, 0));
    expect_test::expect![[r#"
        unit,offset,container,parameter,element,raw,eng,alarm,invalid
        0,20,,,,,,,`/MIB/PAR11` at bit 248: 32 bits run past the 264-bit packet (33 bytes)
        1,1155,,,,,,,`/MIB/PAR11` at bit 248: 32 bits run past the 264-bit packet (33 bytes)
        2,2290,,,,,,,`/MIB/PAR11` at bit 248: 32 bits run past the 264-bit packet (33 bytes)
        3,3425,,,,,,,`/MIB/PAR11` at bit 248: 32 bits run past the 264-bit packet (33 bytes)
    "#]]
    .assert_eq(&csv);
}

mod live {
    use super::super::listen::{tcp, udp, Listen};
    use super::*;
    use std::io::Write as _;
    use std::net::{TcpListener, TcpStream, UdpSocket};

    fn listen(max_units: u64) -> Listen {
        Listen { udp: None, tcp: None, max_units: Some(max_units), idle_timeout_ms: Some(5_000) }
    }

    #[test]
    fn udp_datagrams_on_loopback() {
        let plan = plan(JPSS_MODEL);
        let bytes = std::fs::read(real(JPSS_DATA)).unwrap();
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        let address = socket.local_addr().unwrap();
        let sender = std::thread::spawn(move || {
            let out = UdpSocket::bind("127.0.0.1:0").unwrap();
            for packet in bytes.chunks(71).take(10) {
                out.send_to(packet, address).unwrap();
            }
            out.send_to(&[0xFF; 9], address).unwrap();
        });
        let mut writer = Writer::new(Vec::new(), Format::Csv).unwrap();
        let summary =
            udp(&socket, &plan, &listen(11), &options(Framing::Packets, 0, Format::Csv), &mut writer).unwrap();
        sender.join().unwrap();
        assert_eq!(summary.packets, 10);
        assert_eq!(summary.invalid.values().sum::<u64>(), 1, "{:?}", summary.invalid);
        let csv = String::from_utf8(writer.finish().unwrap()).unwrap();
        assert!(csv.lines().last().unwrap().ends_with("lost_sync (9 bytes)"), "{csv}");
    }

    #[test]
    fn tcp_stream_on_loopback_in_odd_pieces() {
        let plan = plan(JPSS_MODEL);
        let bytes = std::fs::read(real(JPSS_DATA)).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap();
        let sender = std::thread::spawn(move || {
            let mut stream = TcpStream::connect(address).unwrap();
            for piece in bytes[..71 * 20 + 5].chunks(33) {
                stream.write_all(piece).unwrap();
            }
        });
        let mut writer = Writer::new(Vec::new(), Format::Csv).unwrap();
        let summary =
            tcp(&listener, &plan, &listen(1), &options(Framing::Packets, 0, Format::Csv), &mut writer).unwrap();
        sender.join().unwrap();
        assert_eq!(summary.packets, 20);
        let csv = String::from_utf8(writer.finish().unwrap()).unwrap();
        assert!(csv.lines().last().unwrap().ends_with("truncated (5 bytes)"), "{csv}");
    }
}
