//! The NASA cFS capture (shared/real/cfs-capture/tm_udp1235.bin, 212 packets) decoded with
//! test_data/cfs/cfe_hk.xml, against the capture's listing.txt (written from the packets by
//! another program) and facts known from outside the packets.

use crate::common::{check_paths_agree, import_xtce, show, test_data, value, Decode};
use crate::packets;
use expect_test::expect;
use std::collections::BTreeMap;
use test_utils::real;
use tm::{Plan, Processor, RawValue, Sample};

fn plan() -> Plan {
    let model = import_xtce(&[("cfs/cfe_hk.xml", test_data("cfs/cfe_hk.xml"))]);
    Plan::compile(&model).expect("cfe_hk.xml compiles")
}

/// The container the model gives each listing name.
fn container_of(listing_name: &str) -> &'static str {
    match listing_name {
        "CFE_ES_HK_TLM" => "ES_HK",
        "CFE_EVS_HK_TLM" => "EVS_HK",
        "CFE_SB_HK_TLM" => "SB_HK",
        "CFE_TBL_HK_TLM" => "TBL_HK",
        "CFE_TIME_HK_TLM" => "TIME_HK",
        "CFE_EVS_LONG_EVENT_MSG" => "EVS_LONG_EVENT",
        "TO_LAB_HK_TLM" => "TO_LAB_HK",
        "SAMPLE_APP_HK_TLM" => "SAMPLE_APP_HK",
        "CI_LAB_HK_TLM" => "CI_LAB_HK",
        other => panic!("listing name {other}"),
    }
}

/// One line of listing.txt: MID, name, sequence count, length, time, decoded fields.
struct Line {
    mid: u16,
    name: String,
    seq: u64,
    len: usize,
    time: String,
    fields: String,
}

fn listing() -> Vec<Line> {
    let text = std::fs::read_to_string(real("cfs-capture/listing.txt")).unwrap();
    let lines = text.lines().filter(|l| !l.starts_with('#'));
    lines
        .enumerate()
        .map(|(idx, line)| {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(words[0].parse::<usize>().unwrap(), idx, "listing in order");
            let time_end = line.find(words[5]).unwrap() + words[5].len();
            Line {
                mid: u16::from_str_radix(words[1].trim_start_matches("0x"), 16).unwrap(),
                name: words[2].to_string(),
                seq: words[3].parse().unwrap(),
                len: words[4].parse().unwrap(),
                time: words[5].to_string(),
                fields: line[time_end..].trim().to_string(),
            }
        })
        .collect()
}

fn unsigned(plan: &Plan, packet: &[u8], samples: &[Sample], name: &str) -> u64 {
    match value(plan, packet, samples, name) {
        Some((RawValue::Unsigned(v), _)) => v,
        other => panic!("{name}: {other:?}"),
    }
}

fn text(plan: &Plan, packet: &[u8], samples: &[Sample], name: &str) -> String {
    value(plan, packet, samples, name).unwrap_or_else(|| panic!("{name} missing")).1
}

/// The decoded fields of a packet as listing.txt writes them (for ES HK, SAMPLE_APP HK and
/// event messages; empty for the others).
fn listing_fields(plan: &Plan, packet: &[u8], samples: &[Sample], container: &str) -> String {
    let u = |name: &str| unsigned(plan, packet, samples, name);
    match container {
        "ES_HK" => format!(
            "CommandCounter={} ErrorCounter={} CFECoreChecksum={:#06x} cFE={}.{}.{} OSAL={}.{}.{}",
            u("ES_CommandCounter"),
            u("ES_CommandErrorCounter"),
            u("ES_CFECoreChecksum"),
            u("ES_CFEMajorVersion"),
            u("ES_CFEMinorVersion"),
            u("ES_CFERevision"),
            u("ES_OSALMajorVersion"),
            u("ES_OSALMinorVersion"),
            u("ES_OSALRevision"),
        ),
        "SAMPLE_APP_HK" => format!(
            "CommandErrorCounter={} CommandCounter={}",
            u("SAMPLE_APP_CommandErrorCounter"),
            u("SAMPLE_APP_CommandCounter")
        ),
        "EVS_LONG_EVENT" => format!(
            "app={} event_id={} type={} scid={:#x} proc={} msg='{}'",
            text(plan, packet, samples, "EVENT_AppName"),
            u("EVENT_EventID"),
            u("EVENT_EventType"),
            u("EVENT_SpacecraftID"),
            u("EVENT_ProcessorID"),
            text(plan, packet, samples, "EVENT_Message").replace('\n', "\\n"),
        ),
        _ => String::new(),
    }
}

#[test]
fn every_packet_matches_the_listing() {
    let bytes = std::fs::read(real("cfs-capture/tm_udp1235.bin")).unwrap();
    let packets = packets(&bytes);
    let listing = listing();
    assert_eq!((packets.len(), listing.len()), (212, 212));
    let plan = plan();
    let mut processor = Processor::new(&plan);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (idx, (packet, line)) in packets.iter().zip(&listing).enumerate() {
        let mut samples = Vec::new();
        let id = processor.process(packet, &mut samples).unwrap_or_else(|e| panic!("packet {idx}: {e}"));
        let container = plan.container_name(id).unwrap().local().to_string();
        assert_eq!(container, container_of(&line.name), "packet {idx}");
        let u = |name: &str| unsigned(&plan, packet, &samples, name);
        assert_eq!(u("MID"), u64::from(line.mid), "packet {idx}");
        assert_eq!(u("SeqCount"), line.seq, "packet {idx}");
        assert_eq!((u("PacketLength") + 7) as usize, line.len, "packet {idx}");
        assert_eq!(packet.len(), line.len, "packet {idx}");
        assert_eq!(format!("{}.{:05}", u("Seconds"), u("Subseconds")), line.time, "packet {idx}");
        assert_eq!(listing_fields(&plan, packet, &samples, &container), line.fields, "packet {idx}");
        assert!(plan.is_fast(id), "static layouts take the fast path");
        *counts.entry(container).or_default() += 1;
    }
    // The listing's own last line: {'0x800': 22, '0x801': 23, '0x803': 23, '0x804': 45, ...}.
    expect![[r#"
        {
            "CI_LAB_HK": 23,
            "ES_HK": 22,
            "EVS_HK": 23,
            "EVS_LONG_EVENT": 4,
            "SAMPLE_APP_HK": 24,
            "SB_HK": 23,
            "TBL_HK": 45,
            "TIME_HK": 23,
            "TO_LAB_HK": 25,
        }
    "#]]
    .assert_debug_eq(&counts);
    check_paths_agree(&plan, &packets, Decode::Identify);
}

/// Values known outside the listing: the three commands of tc_udp1234.bin (TO_LAB output
/// enable, ES no-op, SAMPLE_APP no-op, all ingested by CI_LAB), the PSP version in the ES
/// no-op event text, the table SCH_LAB loads, leap seconds (TAI - UTC = 37 s since 2017), and
/// cFE time (header seconds = MET + STCF).
#[test]
fn last_housekeeping_of_each_application() {
    let bytes = std::fs::read(real("cfs-capture/tm_udp1235.bin")).unwrap();
    let plan = plan();
    let mut processor = Processor::new(&plan);
    let mut last: BTreeMap<String, String> = BTreeMap::new();
    for packet in packets(&bytes) {
        let mut samples = Vec::new();
        let id = processor.process(packet, &mut samples).unwrap();
        let container = plan.container_name(id).unwrap().local().to_string();
        if container == "TIME_HK" {
            let u = |name: &str| unsigned(&plan, packet, &samples, name);
            let time = u("TIME_SecondsMET") + u("TIME_SecondsSTCF");
            assert!(u("Seconds").abs_diff(time) <= 1, "header {} vs MET + STCF {time}", u("Seconds"));
        }
        let payload: Vec<Sample> = samples.into_iter().filter(|s| s.bit_offset >= 128).collect();
        last.insert(container, show(&plan, packet, &payload));
    }
    for known in [
        "CI_LAB_IngestPackets=3 ",
        "ES_CommandCounter=1 ",
        "ES_PSPMajorVersion=7 ES_PSPMinorVersion=0 ES_PSPRevision=0 ",
        "SAMPLE_APP_CommandCounter=1",
        "TO_LAB_CommandCounter=1 ",
        "TIME_LeapSeconds=37 ",
        "TBL_LastUpdatedTable=SCH_LAB_APP.ScheduleTable ",
    ] {
        assert!(last.values().any(|shown| shown.contains(known)), "{known}");
    }
    expect![[r#"
        {
            "CI_LAB_HK": "CI_LAB_CommandErrorCounter=0 CI_LAB_CommandCounter=0 CI_LAB_EnableChecksums=0 CI_LAB_SocketConnected=1 CI_LAB_IngestPackets=3 CI_LAB_IngestErrors=0",
            "ES_HK": "ES_CommandCounter=1 ES_CommandErrorCounter=0 ES_CFECoreChecksum=59664 ES_CFEMajorVersion=7 ES_CFEMinorVersion=0 ES_CFERevision=1 ES_CFEMissionRevision=255 ES_OSALMajorVersion=7 ES_OSALMinorVersion=0 ES_OSALRevision=0 ES_OSALMissionRevision=0 ES_PSPMajorVersion=7 ES_PSPMinorVersion=0 ES_PSPRevision=0 ES_PSPMissionRevision=0 ES_SysLogBytesUsed=3048 ES_SysLogSize=0",
            "EVS_HK": "EVS_CommandCounter=0 EVS_CommandErrorCounter=0 EVS_MessageFormatMode=1 EVS_MessageTruncCounter=1 EVS_UnregisteredAppCounter=0 EVS_OutputPort=1 EVS_LogFullFlag=1 EVS_LogMode=1 EVS_MessageSendCounter=20 EVS_LogOverflowCounter=22 EVS_LogEnabled=1",
            "EVS_LONG_EVENT": "EVENT_AppName=SAMPLE_APP EVENT_EventID=3 EVENT_EventType=2 EVENT_SpacecraftID=66 EVENT_ProcessorID=1 EVENT_Message=SAMPLE: NOOP command equuleus-rc1+dev54",
            "SAMPLE_APP_HK": "SAMPLE_APP_CommandErrorCounter=0 SAMPLE_APP_CommandCounter=1",
            "SB_HK": "SB_CommandCounter=0 SB_CommandErrorCounter=0 SB_NoSubscribersCounter=8 SB_MsgSendErrorCounter=0 SB_MsgReceiveErrorCounter=0 SB_InternalErrorCounter=0 SB_CreatePipeErrorCounter=0 SB_SubscribeErrorCounter=0 SB_PipeOptsErrorCounter=0 SB_DuplicateSubscriptionsCounter=0 SB_GetPipeIdByNameErrorCounter=0",
            "TBL_HK": "TBL_CommandCounter=0 TBL_CommandErrorCounter=0 TBL_NumTables=3 TBL_NumLoadPending=0 TBL_ValidationCounter=0 TBL_LastValidCrc=0 TBL_LastValidStatus=0 TBL_ActiveBuffer=0 TBL_LastValidTableName= TBL_SuccessValCounter=0 TBL_FailedValCounter=0 TBL_NumValRequests=0 TBL_NumFreeSharedBufs=4 TBL_MemPoolHandle=1310722 TBL_LastUpdateSeconds=1001000 TBL_LastUpdateSubsecs=2374633731 TBL_LastUpdatedTable=SCH_LAB_APP.ScheduleTable TBL_LastFileLoaded= TBL_LastFileDumped= TBL_LastTableLoaded=",
            "TIME_HK": "TIME_CommandCounter=0 TIME_CommandErrorCounter=0 TIME_ClockStateFlags=13280 TIME_ClockStateAPI=-1 TIME_LeapSeconds=37 TIME_SecondsMET=1027 TIME_SubsecsMET=214785731 TIME_SecondsSTCF=1000000 TIME_SubsecsSTCF=0",
            "TO_LAB_HK": "TO_LAB_CommandCounter=1 TO_LAB_CommandErrorCounter=0",
        }
    "#]].assert_debug_eq(&last);
}
