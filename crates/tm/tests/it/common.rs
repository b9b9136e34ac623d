//! What the capture tests share: importing XTCE, showing samples as text, and the checks every
//! capture gets (fast path against general path, truncations, byte flips).

use model::MissionModel;
use model_import::SourceFile;
use tm::{ContainerId, EngValue, Plan, ProcessError, Processor, RawValue, Sample};

/// Imports XTCE files given as (path for diagnostics, text); panics with the report on error.
pub fn import_xtce(files: &[(&str, String)]) -> MissionModel {
    let sources: Vec<SourceFile> = files.iter().map(|(path, text)| SourceFile::new(*path, text.as_bytes())).collect();
    match model_import::xtce::import(&sources) {
        Ok(imported) => imported.model,
        Err(report) => panic!("import failed:\n{report}"),
    }
}

/// Reads a file of this crate's `test_data`.
pub fn test_data(relative: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("test_data").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The id of a container, by its qualified name.
pub fn container(plan: &Plan, name: &str) -> ContainerId {
    let qualified = model::QualifiedName::parse(name).expect("an absolute name");
    plan.container_id(&qualified).unwrap_or_else(|| panic!("no container {name}"))
}

/// A sample's engineering value as text: enumeration labels, text without trailing NULs,
/// binary as hex, numbers as Rust prints them.
pub fn eng(plan: &Plan, packet: &[u8], sample: &Sample) -> String {
    let bytes = |start: u32, len: u32| &packet[start as usize..(start + len) as usize];
    match sample.eng() {
        // FIXME: `Plan::enum_label` knows only scalar parameters, so a member of an aggregate
        // shows its index (`Enum(1)`), not its label.
        EngValue::Enum(idx) => plan.enum_label(sample.parameter, idx).map_or(format!("Enum({idx})"), str::to_string),
        EngValue::Bytes { start, len } if plan.parameter(sample.parameter).is_some_and(|p| p.text) => {
            String::from_utf8_lossy(bytes(start, len)).trim_end_matches('\0').to_string()
        }
        EngValue::Bytes { start, len } => bytes(start, len).iter().map(|b| format!("{b:02x}")).collect(),
        EngValue::Unsigned(v) => v.to_string(),
        EngValue::Signed(v) => v.to_string(),
        EngValue::Float(v) => v.to_string(),
        EngValue::Bool(v) => v.to_string(),
        EngValue::Time(v) => format!("t{v}"),
        other => format!("{other:?}"),
    }
}

/// The local name of a sample's parameter.
pub fn local(plan: &Plan, sample: &Sample) -> String {
    plan.parameter(sample.parameter).expect("a parameter of the plan").name.local().to_string()
}

/// `name=eng` for every sample (element index added for members and elements), on one line.
pub fn show(plan: &Plan, packet: &[u8], samples: &[Sample]) -> String {
    items(plan, packet, samples).join(" ")
}

/// `name=eng` for every sample, one a line.
pub fn show_lines(plan: &Plan, packet: &[u8], samples: &[Sample]) -> String {
    items(plan, packet, samples).join("\n")
}

fn items(plan: &Plan, packet: &[u8], samples: &[Sample]) -> Vec<String> {
    samples
        .iter()
        .map(|s| match s.element {
            0 => format!("{}={}", local(plan, s), eng(plan, packet, s)),
            n => format!("{}.{n}={}", local(plan, s), eng(plan, packet, s)),
        })
        .collect()
}

/// The first sample of a parameter (by local name), as (raw, engineering text).
pub fn value(plan: &Plan, packet: &[u8], samples: &[Sample], name: &str) -> Option<(RawValue, String)> {
    let sample = samples.iter().find(|s| local(plan, s) == name)?;
    Some((sample.raw(), eng(plan, packet, sample)))
}

/// How packets are decoded: identified from the roots, or as a known container.
#[derive(Clone, Copy)]
pub enum Decode {
    Identify,
    As(ContainerId),
}

impl Decode {
    pub fn run(
        self,
        processor: &mut Processor<'_>,
        packet: &[u8],
        out: &mut Vec<Sample>,
    ) -> Result<Option<ContainerId>, ProcessError> {
        match self {
            Decode::Identify => processor.process(packet, out).map(Some),
            Decode::As(id) => processor.process_as(id, packet, out).map(|()| None),
        }
    }
}

/// The checks every capture gets: the fast path and the general path give identical results
/// on every packet, on every truncation (with the length field also fixed up, so decoding
/// goes past the length check) and on byte flips; nothing panics.
pub fn check_paths_agree(plan: &Plan, packets: &[&[u8]], decode: Decode) {
    let general = plan.clone().without_fast_path();
    let mut fast_processor = Processor::new(plan);
    let mut general_processor = Processor::new(&general);
    let mut agree = |packet: &[u8], what: &str| {
        let (mut fast_out, mut general_out) = (Vec::new(), Vec::new());
        let fast_result = decode.run(&mut fast_processor, packet, &mut fast_out);
        let general_result = decode.run(&mut general_processor, packet, &mut general_out);
        assert_eq!(fast_result, general_result, "{what}: {packet:02x?}");
        assert_eq!(fast_out, general_out, "{what}: {packet:02x?}");
        fast_result.is_ok()
    };
    let mut random = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        random ^= random << 13;
        random ^= random >> 7;
        random ^= random << 17;
        random
    };
    let mut lengths_cut = std::collections::BTreeSet::new();
    for (idx, packet) in packets.iter().enumerate() {
        agree(packet, &format!("packet {idx}"));
        for _ in 0..8 {
            let mut flipped = packet.to_vec();
            let at = next() as usize % flipped.len();
            flipped[at] ^= 1 << (next() % 8);
            agree(&flipped, &format!("packet {idx} flipped at {at}"));
        }
        // Every truncation of one packet of each length keeps the test fast on long captures.
        if !lengths_cut.insert(packet.len()) {
            continue;
        }
        for cut in 0..packet.len() {
            agree(&packet[..cut], &format!("packet {idx} cut at {cut}"));
            let mut fixed = packet[..cut].to_vec();
            if cut >= 7 {
                fixed[4..6].copy_from_slice(&((cut - 7) as u16).to_be_bytes());
            }
            agree(&fixed, &format!("packet {idx} cut at {cut}, length fixed"));
        }
    }
}
