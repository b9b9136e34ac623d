use crate::*;
use expect_test::{expect, Expect};

fn name(path: &str) -> QualifiedName {
    QualifiedName::parse(path).expect("test names are absolute")
}

fn uint(size_bits: u8) -> DataType {
    let mut data_type = DataType::new(TypeKind::Integer { signed: false, size_bits, valid_range: None });
    data_type.encoding =
        Some(DataEncoding::Integer { size_bits, sign: IntegerSign::Unsigned, byte_order: ByteOrder::BigEndian });
    data_type
}

/// A model with types `/s/u8`, `/s/u16`, parameters `/s/a` (u8), `/s/b` (u16), `/s/c` (u8)
/// and an abstract header container `/s/hdr` holding `a`.
fn base_model() -> MissionModel {
    let mut model = MissionModel { name: "s".into(), ..MissionModel::default() };
    model.space_systems.insert(name("/s"), SpaceSystem::default());
    model.parameter_types.insert(name("/s/u8"), uint(8));
    model.parameter_types.insert(name("/s/u16"), uint(16));
    for (param, type_ref) in [("a", "u8"), ("b", "u16"), ("c", "u8")] {
        model.parameters.insert(
            name(&format!("/s/{param}")),
            Parameter::new(name(&format!("/s/{param}")), name(&format!("/s/{type_ref}"))),
        );
    }
    let mut header = SequenceContainer::new(name("/s/hdr"));
    header.r#abstract = true;
    header.entries.push(ContainerEntry::next(EntryKind::Parameter(name("/s/a"))));
    model.containers.insert(header.name.clone(), header);
    model
}

fn restricted(container: &str, value: &str, entries: Vec<ContainerEntry>) -> SequenceContainer {
    let mut packet = SequenceContainer::new(name(container));
    packet.base = Some(name("/s/hdr"));
    packet.restriction = Some(Criteria::Compare(Comparison {
        left: ParamRef::raw(name("/s/a")),
        op: ComparisonOp::Eq,
        right: Operand::Value(value.into()),
    }));
    packet.entries = entries;
    packet
}

fn at(reference: LocationReference, offset_bits: i64, parameter: &str) -> ContainerEntry {
    ContainerEntry {
        kind: EntryKind::Parameter(name(parameter)),
        location: EntryLocation { reference, offset_bits },
        repeat: None,
        include_if: None,
    }
}

#[track_caller]
fn check(edit: impl FnOnce(&mut MissionModel), expect: Expect) {
    let mut model = base_model();
    edit(&mut model);
    let lines: Vec<String> = model
        .validate()
        .iter()
        .map(|issue| format!("{:?} {} {}: {}", issue.kind, issue.item_kind, issue.item, issue.message))
        .collect();
    expect.assert_eq(&lines.join("\n"));
}

#[test]
fn clean_model_has_no_issues() {
    check(
        |model| {
            let packet = restricted("/s/p1", "1", vec![ContainerEntry::next(EntryKind::Parameter(name("/s/b")))]);
            model.containers.insert(packet.name.clone(), packet);
        },
        expect![[""]],
    );
}

#[test]
fn unresolved_references() {
    check(
        |model| {
            let mut packet =
                restricted("/s/p1", "1", vec![ContainerEntry::next(EntryKind::Parameter(name("/s/nope")))]);
            packet.base = Some(name("/s/missing"));
            model.containers.insert(packet.name.clone(), packet);
            model.parameters.get_mut(&name("/s/c")).unwrap().type_ref = name("/s/u99");
            let mut command = MetaCommand::new(name("/s/cmd"));
            command.entries.push(CommandEntry::next(CommandEntryKind::Argument("x".into())));
            model.commands.insert(command.name.clone(), command);
        },
        expect![[r#"
            UnresolvedReference parameter /s/c: parameter type `/s/u99` is not defined
            UnresolvedReference container /s/p1: container `/s/missing` is not defined
            UnresolvedReference container /s/p1: parameter `/s/nope` is not defined
            UnresolvedReference command /s/cmd: argument `x` is not an argument of this command or its bases"#]],
    );
}

#[test]
fn overlap_and_past_end() {
    check(
        |model| {
            // `a` is at bits 0..8 in the header; `b` is placed at 4..20 over it (an overlay,
            // allowed); `c` follows at 20..28 and ends past the 24-bit container.
            let mut packet = restricted(
                "/s/p1",
                "1",
                vec![
                    at(LocationReference::ContainerStart, 4, "/s/b"),
                    ContainerEntry::next(EntryKind::Parameter(name("/s/c"))),
                ],
            );
            packet.size_bits = Some(24);
            model.containers.insert(packet.name.clone(), packet);
        },
        expect![[r#"
            Overlay container /s/p1: entry `b` (bits 4..20) overlays `a` (bits 0..8)
            PastEnd container /s/p1: entry `c` ends at bit 28 but the container is 24 bits"#]],
    );
}

#[test]
fn an_entry_that_follows_must_not_run_into_another() {
    check(
        |model| {
            // `b` is placed at 16..32; `c` follows `a` (0..8 in the header) at 8..16, fine;
            // a second `b` follows `c` at 16..32: it runs into the first `b`.
            let packet = restricted(
                "/s/p1",
                "1",
                vec![
                    at(LocationReference::ContainerStart, 16, "/s/b"),
                    at(LocationReference::ContainerStart, 8, "/s/c"),
                    ContainerEntry::next(EntryKind::Parameter(name("/s/b"))),
                ],
            );
            model.containers.insert(packet.name.clone(), packet);
        },
        expect![[r#"
            Overlap container /s/p1: entry `b` (bits 16..32) overlaps `b` (bits 16..32)"#]],
    );
}

#[test]
fn absolute_entries_may_share_bits() {
    // SCOS-2000 places a status word and its flags on the same bits on purpose.
    check(
        |model| {
            let packet = restricted(
                "/s/p1",
                "1",
                vec![at(LocationReference::PacketStart, 8, "/s/b"), at(LocationReference::PacketStart, 8, "/s/c")],
            );
            model.containers.insert(packet.name.clone(), packet);
        },
        expect![[""]],
    );
}

#[test]
fn ambiguous_identification_and_cycles() {
    check(
        |model| {
            for packet in ["/s/p1", "/s/p2"] {
                let packet = restricted(packet, "7", Vec::new());
                model.containers.insert(packet.name.clone(), packet);
            }
            model.containers.get_mut(&name("/s/hdr")).unwrap().base = Some(name("/s/p1"));
        },
        expect![[r#"
            Cycle container /s/hdr: base chain of `/s/hdr` loops back to itself
            Cycle container /s/p1: base chain of `/s/p1` loops back to itself
            Cycle container /s/p2: base chain of `/s/p2` is deeper than 64
            AmbiguousIdentification container /s/p2: has the same base and restriction criteria as `/s/p1`: a packet could be either"#]],
    );
}
