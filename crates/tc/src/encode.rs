//! Encoding a checked command into the bytes the model's layout gives.
//!
//! The layout is the command's inheritance chain, root base first: each level's entries in
//! order (fixed bits, argument values in their encodings and byte orders, group repeaters,
//! fixed-count repeats), with gaps and container-relative offsets (a command starts at bit 0).
//! A calibrated argument is converted engineering → raw: a linear polynomial is inverted; any
//! other calibrator is refused with [`EncodeError::Unsupported`].
//!
//! Packets, decided here:
//! - A command with a MIB PUS identity ([`model::PusCommandId`] on any level) is encoded as
//!   the application data of a PUS-C telecommand ([`crate::pus::pus_tc`]: APID, service,
//!   subtype and ack flags from the model, source id 0, CRC).
//! - A layout that itself starts with a CCSDS primary header of a telecommand (version 0, type
//!   bit 1: the XTCE PUS example's `pus-tc` base) gets its packet data length field filled in,
//!   and, when the secondary header flag is set and the PUS version nibble is 2 (PUS-C), the
//!   packet error control CRC-16/CCITT-FALSE appended (what Yamcs's PUS post-processor adds;
//!   the XTCE layout does not carry it).
//! - The sequence count is the link's to choose: it is encoded as 0, and
//!   [`EncodedCommand::set_sequence_count`] sets it (and refreshes the CRC) before sending.
//! - Any other layout is returned as it is ([`EncodedCommand::packet`] is `None`).

#[cfg(test)]
mod tests;
mod values;

use crate::args::{resolve_chain, ArgValue, CheckedCommand};
use model::{CommandEntryKind, IntegerValue, LocationReference, MissionModel, QualifiedName};
use values::BitWriter;

/// The most bytes a command may encode to (a CCSDS space packet's maximum).
pub const COMMAND_LEN_MAX: usize = 65_542;

/// An encoded command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedCommand {
    pub bytes: Vec<u8>,
    /// Set when `bytes` is a CCSDS telecommand space packet.
    pub packet: Option<PacketInfo>,
}

/// What [`encode`] knows about the space packet it built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacketInfo {
    pub apid: u16,
    /// Whether the last two bytes are the PUS packet error control (CRC-16/CCITT-FALSE).
    pub crc: bool,
}

impl EncodedCommand {
    /// Sets the packet sequence count (14 bits; higher bits are dropped) and refreshes the
    /// CRC; does nothing when the command is not a space packet.
    pub fn set_sequence_count(&mut self, sequence_count: u16) {
        let Some(packet) = &self.packet else { return };
        if self.bytes.len() < ccsds::PACKET_HEADER_LEN {
            return;
        }
        self.bytes[2] = (self.bytes[2] & 0xC0) | ((sequence_count >> 8) as u8 & 0x3F);
        self.bytes[3] = sequence_count as u8;
        if packet.crc {
            crate::pus::refresh_crc(&mut self.bytes);
        }
    }
}

/// Why a command could not be encoded.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EncodeError {
    #[error("command {0}: not in the model")]
    UnknownCommand(QualifiedName),
    #[error("command {command}: argument {argument:?} has no checked value")]
    Unchecked { command: QualifiedName, argument: String },
    #[error("command {command}: argument {argument:?} has type {type_ref}, not in the model")]
    UnknownType { command: QualifiedName, argument: String, type_ref: QualifiedName },
    #[error("argument {argument:?}: raw value {raw} does not fit the {encoding} encoding")]
    RawOutOfRange { argument: String, raw: String, encoding: String },
    #[error("argument {argument:?}: {reason}")]
    Invalid { argument: String, reason: String },
    #[error("argument {argument:?}: {what} is not supported")]
    Unsupported { argument: String, what: String },
    #[error("command {command}, entry {entry}: {what} is not supported")]
    UnsupportedEntry { command: QualifiedName, entry: usize, what: String },
    #[error("command {command}, entry {entry}: group count {count:?} is {reason}")]
    GroupCount { command: QualifiedName, entry: usize, count: String, reason: String },
    #[error("command {command}: {len} bytes, more than {COMMAND_LEN_MAX}")]
    TooLong { command: QualifiedName, len: usize },
    #[error("command {command}: {0}", command = .0)]
    Pus(#[from] crate::pus::PusTcError),
}

/// Encodes a checked command; see the module documentation.
pub fn encode(model: &MissionModel, checked: &CheckedCommand) -> Result<EncodedCommand, EncodeError> {
    let chain =
        resolve_chain(model, &checked.command).map_err(|_| EncodeError::UnknownCommand(checked.command.clone()))?;
    let mut writer = BitWriter::default();
    for level in &chain {
        let mut layout = Layout { model, checked, level: &level.name, writer: &mut writer };
        let entries: Vec<_> = level.entries.iter().collect();
        layout.entries(&entries, &|name| checked.values.get(name).cloned())?;
    }
    let command = checked.command.clone();
    let mut bytes = writer.bytes;
    if bytes.len() > COMMAND_LEN_MAX {
        return Err(EncodeError::TooLong { command, len: bytes.len() });
    }
    if let Some(pus) = chain.iter().rev().find_map(|level| level.pus.as_ref()) {
        let ack_flags = pus.ack_flags.unwrap_or(0);
        let bytes = crate::pus::pus_tc(pus.apid, 0, pus.service, pus.subtype, 0, ack_flags, &bytes)?;
        return Ok(EncodedCommand { bytes, packet: Some(PacketInfo { apid: pus.apid, crc: true }) });
    }
    let is_tc_packet = bytes.len() >= ccsds::PACKET_HEADER_LEN && bytes[0] >> 5 == 0 && bytes[0] & 0x10 != 0;
    if !is_tc_packet {
        return Ok(EncodedCommand { bytes, packet: None });
    }
    let crc = bytes[0] & 0x08 != 0 && bytes.len() > ccsds::PACKET_HEADER_LEN && bytes[6] >> 4 == 2;
    let total = bytes.len() + if crc { 2 } else { 0 };
    if total > COMMAND_LEN_MAX {
        return Err(EncodeError::TooLong { command, len: total });
    }
    let data_len = (total - ccsds::PACKET_HEADER_LEN - 1) as u16;
    bytes[4..6].copy_from_slice(&data_len.to_be_bytes());
    if crc {
        bytes.extend_from_slice(&ccsds::crc16_ccitt_false(&bytes).to_be_bytes());
    }
    let apid = u16::from_be_bytes([bytes[0], bytes[1]]) & 0x07FF;
    Ok(EncodedCommand { bytes, packet: Some(PacketInfo { apid, crc }) })
}

/// One level's entries being written.
struct Layout<'a, 'w> {
    model: &'a MissionModel,
    checked: &'a CheckedCommand,
    level: &'a QualifiedName,
    writer: &'w mut BitWriter,
}

type Values<'v> = dyn Fn(&str) -> Option<ArgValue> + 'v;

impl Layout<'_, '_> {
    fn entries(&mut self, entries: &[&model::CommandEntry], values: &Values<'_>) -> Result<(), EncodeError> {
        let mut idx = 0;
        while idx < entries.len() {
            let entry = entries[idx];
            let unsupported = |what: &str| EncodeError::UnsupportedEntry {
                command: self.level.clone(),
                entry: idx,
                what: what.to_string(),
            };
            if entry.include_if.is_some() {
                return Err(unsupported("a conditional entry (include condition)"));
            }
            let offset = entry.location.offset_bits;
            let start = match entry.location.reference {
                LocationReference::PreviousEntry => self.writer.pos as i64 + offset,
                LocationReference::ContainerStart | LocationReference::PacketStart => offset,
                LocationReference::ContainerEnd => return Err(unsupported("a location from the container end")),
            };
            self.writer.pos = usize::try_from(start).map_err(|_| unsupported("a location before the start"))?;
            let repeats = match &entry.repeat {
                None => 1,
                Some(model::Repeat { count: IntegerValue::Fixed(count), offset_bits: 0 }) => (*count).max(0) as usize,
                Some(_) => return Err(unsupported("a dynamic repeat")),
            };
            if let CommandEntryKind::Group { group_size, count_argument } = &entry.kind {
                let end = (idx + 1 + *group_size as usize).min(entries.len());
                self.group(idx, &entries[idx + 1..end], count_argument, values)?;
                idx = end;
                continue;
            }
            for _ in 0..repeats {
                self.entry(idx, &entry.kind, values)?;
            }
            idx += 1;
        }
        Ok(())
    }

    fn entry(&mut self, idx: usize, kind: &CommandEntryKind, values: &Values<'_>) -> Result<(), EncodeError> {
        let unsupported =
            |what: String| EncodeError::UnsupportedEntry { command: self.level.clone(), entry: idx, what };
        match kind {
            CommandEntryKind::Fixed { size_bits, value } => self.writer.write_fixed(value, *size_bits),
            CommandEntryKind::Argument(name) => {
                let command = self.checked.command.clone();
                let value = values(name).ok_or_else(|| EncodeError::Unchecked { command, argument: name.clone() })?;
                let type_ref = self.argument_type(name)?;
                let data_type = self.model.argument_types.get(&type_ref).ok_or_else(|| EncodeError::UnknownType {
                    command: self.checked.command.clone(),
                    argument: name.clone(),
                    type_ref: type_ref.clone(),
                })?;
                values::write_value(self.model, self.writer, name, data_type, &value)?;
            }
            CommandEntryKind::Parameter(name) => return Err(unsupported(format!("a parameter's value ({name})"))),
            CommandEntryKind::Container(name) => return Err(unsupported(format!("an included container ({name})"))),
            CommandEntryKind::Group { .. } => return Err(unsupported("a group inside a group".to_string())),
        }
        Ok(())
    }

    /// Writes a group's entries as many times as the count argument says; an argument given
    /// as an array gives one element per repeat, a single value is repeated.
    fn group(
        &mut self,
        idx: usize,
        group: &[&model::CommandEntry],
        count_argument: &str,
        values: &Values<'_>,
    ) -> Result<(), EncodeError> {
        let count = values(count_argument);
        let bad = |reason: &str| EncodeError::GroupCount {
            command: self.level.clone(),
            entry: idx,
            count: count_argument.to_string(),
            reason: reason.to_string(),
        };
        let count = match count {
            Some(ArgValue::Integer(count)) if (0..=crate::args::ARRAY_LEN_MAX as i128).contains(&count) => {
                count as usize
            }
            Some(_) => return Err(bad("not an integer from 0 to the array limit")),
            None => return Err(bad("not an argument of the command")),
        };
        for repeat in 0..count {
            let element = |name: &str| match values(name) {
                Some(ArgValue::Array(elements)) => elements.get(repeat).cloned(),
                other => other,
            };
            for entry in group {
                if let CommandEntryKind::Argument(name) = &entry.kind {
                    if matches!(values(name), Some(ArgValue::Array(ref e)) if e.len() != count) {
                        return Err(bad(&format!("not the number of values given for {name:?}")));
                    }
                }
            }
            self.entries(group, &element)?;
        }
        Ok(())
    }

    fn argument_type(&self, name: &str) -> Result<QualifiedName, EncodeError> {
        let chain = resolve_chain(self.model, &self.checked.command)
            .map_err(|_| EncodeError::UnknownCommand(self.checked.command.clone()))?;
        chain
            .iter()
            .flat_map(|level| &level.arguments)
            .find(|argument| argument.name == name)
            .map(|argument| argument.type_ref.clone())
            .ok_or_else(|| EncodeError::Unchecked { command: self.checked.command.clone(), argument: name.to_string() })
    }
}
