//! Unit tests of the XTCE importer on small inline snippets, one `check` per feature.
//! `UPDATE_EXPECT=1 cargo test` rewrites the expectations.

mod errors;
mod layout;
mod names;
mod types;
mod yamcs_time;

use crate::{ImportReport, Imported, SourceFile};
use expect_test::Expect;
use model::MissionModel;
use std::fmt::Write;

pub(super) const NS: &str = "http://www.omg.org/spec/XTCE/20180204";

pub(super) fn import(files: &[(&str, &str)]) -> Result<Imported, ImportReport> {
    let files: Vec<SourceFile> = files.iter().map(|(path, text)| SourceFile::new(*path, *text)).collect();
    crate::xtce::import(&files)
}

/// A space system `T` holding telemetry (`tm`) and command (`cmd`) metadata.
pub(super) fn space_system(tm: &str, cmd: &str) -> String {
    format!(
        "<SpaceSystem name=\"T\" xmlns=\"{NS}\">\n<TelemetryMetaData>\n{tm}\n</TelemetryMetaData>\n<CommandMetaData>\n{cmd}\n</CommandMetaData>\n</SpaceSystem>\n"
    )
}

/// The model part `pick` chooses, then the report; or only the report on failure.
pub(super) fn render(result: Result<Imported, ImportReport>, pick: impl Fn(&MissionModel) -> String) -> String {
    match result {
        Ok(imported) => format!("{}{}", pick(&imported.model), imported.report),
        Err(report) => format!("FAILED\n{report}"),
    }
}

pub(super) fn types(model: &MissionModel) -> String {
    let mut out = String::new();
    for (name, data_type) in model.parameter_types.iter().chain(&model.argument_types) {
        let _ = writeln!(out, "{name}: {:?} {:?}", data_type.kind, data_type.encoding);
        if let Some(unit) = &data_type.unit {
            let _ = writeln!(out, "  unit {unit}");
        }
        if let Some(calibrator) = &data_type.calibrator {
            let _ = writeln!(out, "  calibrator {calibrator:?}");
        }
        for context in &data_type.context_calibrators {
            let _ = writeln!(out, "  context calibrator {context:?}");
        }
        if let Some(alarm) = &data_type.alarm {
            let _ = writeln!(out, "  alarm {alarm:?}");
        }
        for context in &data_type.context_alarms {
            let _ = writeln!(out, "  context alarm {context:?}");
        }
    }
    out
}

pub(super) fn containers(model: &MissionModel) -> String {
    let mut out = String::new();
    for (name, container) in &model.containers {
        let flag = if container.r#abstract { " abstract" } else { "" };
        let _ = writeln!(out, "{name}{flag} base={:?} size={:?}", container.base, container.size_bits);
        if let Some(restriction) = &container.restriction {
            let _ = writeln!(out, "  restriction {restriction:?}");
        }
        for entry in &container.entries {
            let _ = writeln!(out, "  {:?} at {:?}", entry.kind, entry.location);
            if let Some(repeat) = &entry.repeat {
                let _ = writeln!(out, "    repeat {repeat:?}");
            }
            if let Some(include_if) = &entry.include_if {
                let _ = writeln!(out, "    if {include_if:?}");
            }
        }
    }
    out
}

pub(super) fn commands(model: &MissionModel) -> String {
    let mut out = String::new();
    for (name, command) in &model.commands {
        let flag = if command.r#abstract { " abstract" } else { "" };
        let _ = writeln!(out, "{name}{flag}");
        if let Some(base) = &command.base {
            let _ = writeln!(out, "  base {} {:?}", base.command, base.assignments);
        }
        for argument in &command.arguments {
            let _ = writeln!(out, "  arg {} {} init={:?}", argument.name, argument.type_ref, argument.initial_value);
        }
        for entry in &command.entries {
            let _ = writeln!(out, "  entry {:?}", entry.kind);
        }
        if let Some(significance) = &command.significance {
            let _ = writeln!(out, "  significance {significance:?}");
        }
        for constraint in &command.constraints {
            let _ = writeln!(out, "  constraint {constraint:?}");
        }
        for verifier in &command.verifiers {
            let _ = writeln!(out, "  verifier {:?} {:?} {:?}", verifier.stage, verifier.check, verifier.window);
        }
    }
    out
}

#[track_caller]
pub(super) fn check_types(parameter_types: &str, expect: Expect) {
    let xml = space_system(&format!("<ParameterTypeSet>{parameter_types}</ParameterTypeSet>"), "");
    expect.assert_eq(&render(import(&[("t.xml", &xml)]), types));
}

#[track_caller]
pub(super) fn check_containers(tm: &str, expect: Expect) {
    let xml = space_system(tm, "");
    expect.assert_eq(&render(import(&[("t.xml", &xml)]), containers));
}

#[track_caller]
pub(super) fn check_commands(tm: &str, cmd: &str, expect: Expect) {
    let xml = space_system(tm, cmd);
    expect.assert_eq(&render(import(&[("t.xml", &xml)]), commands));
}

/// Imports files as given and prints the report (errors included).
#[track_caller]
pub(super) fn check_report(files: &[(&str, &str)], expect: Expect) {
    let report = match import(files) {
        Ok(imported) => format!("OK\n{}", imported.report),
        Err(report) => format!("FAILED\n{report}"),
    };
    expect.assert_eq(&report);
}

/// Prints the qualified names of every item.
#[track_caller]
pub(super) fn check_names(files: &[(&str, &str)], expect: Expect) {
    let names = |model: &MissionModel| {
        let mut out = String::new();
        let _ = writeln!(out, "model {}", model.name);
        for name in model.space_systems.keys() {
            let _ = writeln!(out, "space system {name}");
        }
        for (name, parameter) in &model.parameters {
            let _ = writeln!(out, "parameter {name}: {}", parameter.type_ref);
        }
        for (name, container) in &model.containers {
            let _ = writeln!(
                out,
                "container {name} base={:?} {:?}",
                container.base,
                container.entries.iter().map(|e| &e.kind).collect::<Vec<_>>()
            );
        }
        out
    };
    expect.assert_eq(&render(import(files), names));
}

pub(super) const U8: &str =
    r#"<IntegerParameterType name="u8" signed="false"><IntegerDataEncoding sizeInBits="8"/></IntegerParameterType>"#;

/// Telemetry with parameters `a`, `b`, `c` of type `u8` and the given containers.
pub(super) fn with_params(container_set: &str) -> String {
    format!(
        r#"<ParameterTypeSet>{U8}</ParameterTypeSet>
        <ParameterSet><Parameter name="a" parameterTypeRef="u8"/><Parameter name="b" parameterTypeRef="u8"/><Parameter name="c" parameterTypeRef="u8"/></ParameterSet>
        <ContainerSet>{container_set}</ContainerSet>"#
    )
}
