//! Yamcs's `org.yamcs.algo.TimeBinaryDecoder` read as what it decodes: a CCSDS unsegmented
//! time code (301.0-B-4 §3.2), so the model needs no Java to decode it.
//!
//! Yamcs configures the decoder with a map in the `AlgorithmText`:
//! `org.yamcs.algo.TimeBinaryDecoder({type: CUC, epoch: NONE, tcoService: tco0})`. With
//! `type: CUC` (Yamcs's default) and no `implicitPField`, the data starts with the P-field,
//! which states the coarse and fine octets; `implicitPField` (and `implicitPFieldCont` when
//! its extension flag is set) gives the P-field instead, and the data holds only the T-field.
//! Any other call, or an option this reading does not know, stays a custom algorithm.

use super::cx::{child, local};
use model::{Epoch, TimeEncoding, TypeKind};
use roxmltree::Node;

/// The Java class whose calls are read.
const DECODER: &str = "org.yamcs.algo.TimeBinaryDecoder";

/// The most coarse and fine octets a P-field with its extension octet states (1 + 3 + 3 and
/// 3 + 7): the bounds of a code whose P-field is in the data.
pub const COARSE_OCTETS_MAX: u8 = 7;
pub const FINE_OCTETS_MAX: u8 = 10;

/// What a transform algorithm turned out to be.
#[derive(Debug, PartialEq)]
pub enum Transform {
    /// A CUC decoder, now the type's time encoding and epoch.
    Cuc,
    /// A `TimeBinaryDecoder` call the model cannot represent, and why.
    Refused(String),
    /// Anything else.
    Other,
}

/// Reads `transform` (a `FromBinaryTransformAlgorithm`) into `kind` when it is a CUC
/// `TimeBinaryDecoder` of an absolute time type.
pub fn read(transform: Node<'_, '_>, kind: &mut TypeKind) -> Transform {
    if local(transform) != "FromBinaryTransformAlgorithm" {
        return Transform::Other;
    }
    let Some(text_node) = child(transform, "AlgorithmText") else {
        return Transform::Other;
    };
    if text_node.attribute("language").is_some_and(|language| !language.trim().eq_ignore_ascii_case("java")) {
        return Transform::Other;
    }
    // Comments may sit in the text (the Yamcs example has one): only the text nodes count.
    let text: String = text_node.descendants().filter(|node| node.is_text()).filter_map(|node| node.text()).collect();
    match (decoder(&text), kind) {
        (None, _) => Transform::Other,
        (Some(Err(why)), _) => Transform::Refused(why),
        (Some(Ok((time_code, time_epoch))), TypeKind::AbsoluteTime { epoch, time }) => {
            *time = time_code;
            *epoch = time_epoch;
            Transform::Cuc
        }
        (Some(Ok(_)), _) => Transform::Refused("it decodes absolute times and this type is not one".into()),
    }
}

/// The time code and epoch of a `TimeBinaryDecoder` call; `None` when `text` is not one.
pub(crate) fn decoder(text: &str) -> Option<Result<(TimeEncoding, Epoch), String>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let arguments = compact.strip_prefix(DECODER)?.strip_prefix('(')?;
    Some(options(arguments).and_then(|options| cuc(&options)))
}

/// The `key: value` pairs of the call's one map argument (or none).
fn options(arguments: &str) -> Result<Vec<(&str, &str)>, String> {
    let arguments = arguments.strip_suffix(';').unwrap_or(arguments);
    let Some(map) = arguments.strip_suffix(')') else {
        return Err("the call does not end with `)`".into());
    };
    if map.is_empty() {
        return Ok(Vec::new());
    }
    let Some(map) = map.strip_prefix('{').and_then(|map| map.strip_suffix('}')) else {
        return Err("its argument is not a `{key: value}` map".into());
    };
    let mut options: Vec<(&str, &str)> = Vec::new();
    for item in map.split(',').filter(|item| !item.is_empty()) {
        let Some((key, value)) = item.split_once(':') else {
            return Err(format!("option `{item}` is not `key: value`"));
        };
        if options.iter().any(|(seen, _)| *seen == key) {
            return Err(format!("option `{key}` is given twice"));
        }
        options.push((key, value.trim_matches(|c| c == '"' || c == '\'')));
    }
    Ok(options)
}

fn cuc(options: &[(&str, &str)]) -> Result<(TimeEncoding, Epoch), String> {
    let get = |key: &str| options.iter().find(|(k, _)| *k == key).map(|(_, v)| *v);
    if let Some((key, _)) = options
        .iter()
        .find(|(key, _)| !["type", "epoch", "tcoService", "implicitPField", "implicitPFieldCont"].contains(key))
    {
        return Err(format!("option `{key}` is not one the model reads"));
    }
    // Yamcs's defaults: CUC, GPS epoch, P-field in the data.
    match get("type") {
        None => {}
        Some(kind) if kind.eq_ignore_ascii_case("CUC") => {}
        Some(kind) => return Err(format!("time code type `{kind}`: only CUC is read natively")),
    }
    let epoch = match (get("tcoService"), get("epoch").map(str::to_ascii_uppercase).as_deref()) {
        // A time correlation service turns the on-board time into ground time.
        (Some(_), _) => Epoch::Mission,
        (None, Some("TAI")) => Epoch::Tai,
        (None, Some("J2000")) => Epoch::J2000,
        (None, Some("UNIX")) => Epoch::Unix,
        (None, Some("GPS") | None) => Epoch::Gps,
        (None, Some("NONE")) => Epoch::Mission,
        (None, Some(other)) => return Err(format!("epoch `{other}` is not TAI, J2000, UNIX, GPS or NONE")),
    };
    let implicit = get("implicitPField").map(|text| octet("implicitPField", text)).transpose()?;
    let implicit_cont = get("implicitPFieldCont").map(|text| octet("implicitPFieldCont", text)).transpose()?;
    let time = match (implicit.flatten(), implicit_cont.flatten()) {
        (None, None) => {
            TimeEncoding::Cuc { coarse_octets: COARSE_OCTETS_MAX, fine_octets: FINE_OCTETS_MAX, p_field: true }
        }
        (None, Some(_)) => return Err("implicitPFieldCont without implicitPField".into()),
        (Some(first), second) => {
            let (coarse_octets, fine_octets) = p_field_octets(first, second)?;
            TimeEncoding::Cuc { coarse_octets, fine_octets, p_field: false }
        }
    };
    Ok((time, epoch))
}

/// A P-field octet given as a decimal or `0x` hexadecimal number; `None` for -1 (Yamcs's
/// "in the data").
fn octet(key: &str, text: &str) -> Result<Option<u8>, String> {
    let value = match text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")) {
        Some(hex) => i64::from_str_radix(hex, 16),
        None => text.parse::<i64>(),
    };
    match value {
        Ok(-1) => Ok(None),
        Ok(value) => u8::try_from(value).map(Some).map_err(|_| format!("{key} {value} is not an octet")),
        Err(_) => Err(format!("{key} `{text}` is not a number")),
    }
}

/// The coarse and fine octets a P-field states (301.0-B-4 §3.2.2): coarse − 1 in bits 3–2 and
/// fine in bits 1–0 of the first octet; with its extension flag (bit 7), more coarse octets in
/// bits 6–5 and more fine octets in bits 4–2 of the second.
pub fn p_field_octets(first: u8, second: Option<u8>) -> Result<(u8, u8), String> {
    let coarse = 1 + ((first >> 2) & 0x3);
    let fine = first & 0x3;
    match (first & 0x80 != 0, second) {
        (false, _) => Ok((coarse, fine)),
        (true, None) => Err(format!("P-field {first:#04x} has its extension flag set and no second octet")),
        (true, Some(second)) if second & 0x80 != 0 => {
            Err(format!("P-field {first:#04x} {second:#04x}: a third octet is not defined"))
        }
        (true, Some(second)) => Ok((coarse + ((second >> 5) & 0x3), fine + ((second >> 2) & 0x7))),
    }
}
