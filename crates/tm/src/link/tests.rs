use super::*;
use model_import::SourceFile;
use test_utils::real;

fn plan(relative: &str) -> Plan {
    let path = real(relative);
    let files: Vec<SourceFile> = if path.is_dir() {
        let mut paths: Vec<_> = std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        paths.iter().map(|p| SourceFile::new(p.display().to_string(), std::fs::read(p).unwrap())).collect()
    } else {
        vec![SourceFile::new(relative, std::fs::read(&path).unwrap())]
    };
    let kind = model_import::detect(&files).unwrap();
    Plan::compile(&model_import::import(kind, &files).expect("the model imports").model).unwrap()
}

fn kinds(sink: &MemorySink) -> (usize, usize, usize, usize) {
    let count = |kind| sink.units.iter().filter(|u| u.0 == kind).count();
    let invalid = sink.units.iter().filter(|u| u.3.is_some()).count();
    (count(UnitKind::Packet), count(UnitKind::Frame), count(UnitKind::Fragment), invalid)
}

#[test]
fn stream_in_any_chunks_loses_nothing() {
    let plan = plan("lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml");
    let bytes = std::fs::read(real("lasp-space_packet_parser/jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1")).unwrap();
    let cut = &bytes[..bytes.len() - 10];
    for chunk in [1000, 71 * 3, 4096] {
        let mut link = Link::new(&plan, Framing::Packets { prefix_len: 0 }, None);
        let mut sink = MemorySink::default();
        let mut alarms = AlarmBoard::new();
        for piece in cut.chunks(chunk) {
            link.receive(piece, 5, &mut alarms, &mut sink);
        }
        link.finish(6, &mut sink);
        assert_eq!(kinds(&sink), (7199, 0, 1, 1), "chunks of {chunk}");
        assert_eq!(sink.packets.len(), 7199);
        let covered: usize = sink.units.iter().map(|u| u.2).sum();
        assert_eq!(covered, cut.len(), "every byte is in exactly one unit");
        let counters = link.counters();
        assert_eq!((counters.units_in, counters.invalid_total()), (7199, 1));
    }
}

#[test]
fn nctrs_frames_are_archived_and_their_packets_processed() {
    let plan = plan("spacepylibrary/mib-ascii");
    let bytes = std::fs::read(real("spacepylibrary/tmFiles/TMframes3.bin")).unwrap();
    let mut link = Link::new(&plan, Framing::Nctrs { fecf: true, spacecraft_id: Some(758) }, None);
    let mut sink = MemorySink::default();
    let mut alarms = AlarmBoard::new();
    link.receive(&bytes, 1, &mut alarms, &mut sink);
    link.finish(1, &mut sink);
    // Four valid frames; each carries a TM(3,25) packet shorter than the MIB's definition of
    // that packet, so each packet is archived invalid with its reason; idle packets are counted.
    assert_eq!(kinds(&sink), (4, 4, 0, 4));
    assert!(sink.units.iter().filter(|u| u.0 == UnitKind::Packet).all(|u| u.3.as_deref().unwrap().contains("PAR11")));
    let counters = link.counters();
    assert_eq!((counters.units_in, counters.packets_out, counters.idle_packets, counters.gaps), (4, 4, 4, 0));
}

#[test]
fn datagrams_never_join() {
    let plan = plan("lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml");
    let bytes = std::fs::read(real("lasp-space_packet_parser/jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1")).unwrap();
    let mut link = Link::new(&plan, Framing::Packets { prefix_len: 0 }, None);
    let mut sink = MemorySink::default();
    let mut alarms = AlarmBoard::new();
    // A whole packet, then a datagram with a packet and a half, then a whole packet again.
    link.datagram(&bytes[..71], 1, &mut alarms, &mut sink);
    link.datagram(&bytes[71..71 + 71 + 35], 2, &mut alarms, &mut sink);
    link.datagram(&bytes[71 * 3..71 * 4], 3, &mut alarms, &mut sink);
    assert_eq!(kinds(&sink), (3, 0, 1, 1));
    assert_eq!(sink.packets.len(), 3);
}

#[test]
fn pus_reports_are_read_by_layout_even_without_a_container() {
    // The JPSS model knows nothing of PUS; the sat-rs TM[1,4] failure still reaches the sink as
    // a verification report, and the packet is archived as unknown.
    let plan = plan("lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml");
    let layout =
        PusLayout { data_field_header_len: 14, has_crc: true, step_id_len: 4, failure_code_len: 2, event_id_len: 4 };
    let mut link = Link::new(&plan, Framing::Packets { prefix_len: 0 }, Some(layout));
    let mut sink = MemorySink::default();
    let packet: Vec<u8> = (0..58)
        .step_by(2)
        .map(|i| {
            u8::from_str_radix(&"0802c00c0016200104000a000040624c014dade41802c004000163f666"[i..i + 2], 16).unwrap()
        })
        .collect();
    link.datagram(&packet, 1, &mut AlarmBoard::new(), &mut sink);
    assert_eq!(
        sink.units,
        vec![(UnitKind::Packet, 0, 29, Some("no container of the model matches this packet".into()))]
    );
    assert!(matches!(&sink.reports[..], [PusReport::Verification(r)] if !r.success && r.failure_code == Some(1)));
}
