//! Sequence containers: how parameters are laid out in packets, and how a packet is identified.

use crate::criteria::Criteria;
use crate::datatype::IntegerValue;
use crate::name::{Alias, QualifiedName};

/// A sequence container: an ordered list of entries, optionally extending a base container
/// when the base's restriction criteria hold.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SequenceContainer {
    pub name: QualifiedName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<Alias>,
    /// Abstract containers are never the identified packet themselves, only a base.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub r#abstract: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<QualifiedName>,
    /// What must hold in the base for this container to apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restriction: Option<Criteria>,
    pub entries: Vec<ContainerEntry>,
    /// The container's fixed size in bits, when the source states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size_bits: Option<u32>,
    /// Expected period between packets, in milliseconds (XTCE `DefaultRateInStream`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_ms: Option<u64>,
    /// PUS identification as a MIB states it (APID, type, subtype, PI1/PI2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pus: Option<PusPacketId>,
}

impl SequenceContainer {
    /// An empty, concrete container with no base.
    pub fn new(name: QualifiedName) -> Self {
        SequenceContainer {
            name,
            description: None,
            aliases: Vec::new(),
            r#abstract: false,
            base: None,
            restriction: None,
            entries: Vec::new(),
            size_bits: None,
            rate_ms: None,
            pus: None,
        }
    }
}

/// Where an entry starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LocationReference {
    /// From the start of this container's inheritance chain: a derived container shares its
    /// root base's start; a container included by a container entry starts where it is
    /// included (XTCE `containerStart`).
    ContainerStart,
    /// From the end of the previous entry (XTCE's default).
    PreviousEntry,
    /// From the start of the whole packet (MIB byte offsets).
    PacketStart,
    /// Back from the end of the packet: the entry ends `offset_bits` before the end (XTCE
    /// `containerEnd`; 0 for a trailing checksum).
    ContainerEnd,
}

/// An entry's position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EntryLocation {
    pub reference: LocationReference,
    pub offset_bits: i64,
}

impl EntryLocation {
    /// Right after the previous entry.
    pub const NEXT: EntryLocation = EntryLocation { reference: LocationReference::PreviousEntry, offset_bits: 0 };
}

/// How often an entry repeats, and the gap between repeats.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Repeat {
    pub count: IntegerValue,
    #[serde(default)]
    pub offset_bits: u32,
}

/// What an entry holds.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Parameter(QualifiedName),
    /// An array parameter; all elements, or a sub-range per dimension.
    ArrayParameter(QualifiedName),
    /// Another container's entries inline.
    Container(QualifiedName),
    /// Fixed bits (padding or a constant) that carry no parameter.
    Fixed {
        size_bits: u32,
        value: Option<Vec<u8>>,
    },
    /// A group of the following `group_size` entries repeated `count` times (MIB group
    /// repeaters, PUS 3 variable HK): the group's entries follow this one in the list.
    Group {
        group_size: u32,
        count: IntegerValue,
    },
}

/// One entry of a container.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ContainerEntry {
    pub kind: EntryKind,
    pub location: EntryLocation,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_if: Option<Criteria>,
}

impl ContainerEntry {
    /// An entry right after the previous one, always included, not repeated.
    pub fn next(kind: EntryKind) -> Self {
        ContainerEntry { kind, location: EntryLocation::NEXT, repeat: None, include_if: None }
    }
}

/// An additional identification field (SCOS-2000 PIC/PID PI1, PI2).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PiField {
    pub offset_bits: u32,
    pub width_bits: u8,
    pub value: i64,
}

/// How a MIB identifies a packet: APID, PUS type and subtype, and up to two PI fields.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PusPacketId {
    pub apid: u16,
    pub service: u8,
    pub subtype: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pi1: Option<PiField>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pi2: Option<PiField>,
    /// The SCOS-2000 SPID.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spid: Option<u32>,
}
