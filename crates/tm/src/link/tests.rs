use super::*;
use model_import::SourceFile;
use test_utils::real;

fn plan(relative: &str) -> Plan {
    Plan::compile(&model(relative)).unwrap()
}

fn model(relative: &str) -> model::MissionModel {
    let path = real(relative);
    let files: Vec<SourceFile> = if path.is_dir() {
        let mut paths: Vec<_> = std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()).collect();
        paths.sort();
        paths.iter().map(|p| SourceFile::new(p.display().to_string(), std::fs::read(p).unwrap())).collect()
    } else {
        vec![SourceFile::new(relative, std::fs::read(&path).unwrap())]
    };
    let kind = model_import::detect(&files).unwrap();
    model_import::import(kind, &files).expect("the model imports").model
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

#[test]
fn a_packet_split_across_a_rebind_is_decoded_whole_by_the_new_plan() {
    const JPSS: &str = "lasp-space_packet_parser/jpss/jpss1_geolocation_xtce_v1.xml";
    let old_plan = plan(JPSS);
    // The new version calibrates every uncalibrated integer as 2x + 1: its values differ.
    let mut new_model = model(JPSS);
    for data_type in new_model.parameter_types.values_mut() {
        if matches!(data_type.kind, model::TypeKind::Integer { .. }) && data_type.calibrator.is_none() {
            data_type.calibrator = Some(model::Calibrator::Polynomial { coefficients: vec![1.0, 2.0] });
        }
    }
    let new_plan = Plan::compile(&new_model).unwrap();
    let bytes = std::fs::read(real("lasp-space_packet_parser/jpss/J01_G011_LZ_2021-04-09T00-00-00Z_V01.DAT1")).unwrap();
    let stream = &bytes[..71 * 3];
    let decoded = |plan: &Plan, packet: &[u8]| {
        let mut samples = Vec::new();
        Processor::new(plan).process(packet, &mut samples).unwrap();
        samples
    };
    let (mut sink, mut alarms) = (MemorySink::default(), AlarmBoard::new());
    let mut link = Link::new(&old_plan, Framing::Packets { prefix_len: 0 }, None);
    // The first packet and half of the second arrive, then the model changes.
    link.receive(&stream[..71 + 35], 1, &mut alarms, &mut sink);
    assert_eq!(sink.packets.len(), 1);
    let mut link = link.rebind(&new_plan);
    link.receive(&stream[71 + 35..], 2, &mut alarms, &mut sink);
    link.finish(3, &mut sink);
    let offsets: Vec<(u64, usize, bool)> = sink.units.iter().map(|u| (u.1, u.2, u.3.is_none())).collect();
    assert_eq!(offsets, [(0, 71, true), (71, 71, true), (142, 71, true)], "three whole packets, nothing lost");
    assert_eq!(sink.packets[0].1, decoded(&old_plan, &stream[..71]), "before the rebind: the old plan");
    for (idx, packet) in stream.chunks(71).enumerate().skip(1) {
        let new_samples = decoded(&new_plan, packet);
        assert_ne!(new_samples, decoded(&old_plan, packet), "the versions differ on packet {idx}");
        assert_eq!(sink.packets[idx].1, new_samples, "packet {idx} is decoded by the new plan");
    }
    assert_eq!(link.counters().units_in, 3, "counters carry over");
}
