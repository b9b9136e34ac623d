//! A small mission model, sample builders and temporary archive directories.

use archive::{ArchiveOptions, Writer};
use model::*;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use tm::{EngValue, ParamId, Plan, RawValue, Sample};

/// A directory under the system temp dir, removed on drop.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("archive-it-{}-{name}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn name(path: &str) -> QualifiedName {
    QualifiedName::parse(path).expect("test names are absolute")
}

fn integer(size_bits: u8, signed: bool) -> DataType {
    let sign = if signed { IntegerSign::TwosComplement } else { IntegerSign::Unsigned };
    let mut data_type = DataType::new(TypeKind::Integer { signed, size_bits, valid_range: None });
    data_type.encoding = Some(DataEncoding::Integer { size_bits, sign, byte_order: ByteOrder::BigEndian });
    data_type
}

/// /t/TEMP (u16), /t/MODE (enumeration OFF, ON), /t/NAME (text), /t/DUMP (binary),
/// /t/COUNT (i32), /t/ARRAY (u8, used with elements).
pub fn plan() -> Plan {
    let mut model = MissionModel { name: "t".into(), ..MissionModel::default() };
    model.space_systems.insert(name("/t"), SpaceSystem::default());
    let mut mode = DataType::new(TypeKind::Enumerated {
        values: vec![
            EnumValue { value: 0, max: None, label: "OFF".into(), description: None },
            EnumValue { value: 1, max: None, label: "ON".into(), description: None },
        ],
    });
    mode.encoding = integer(8, false).encoding;
    let mut text = DataType::new(TypeKind::String { length_range: None });
    text.encoding = Some(DataEncoding::String { size: StringSize::Fixed { size_bits: 32 }, charset: "UTF-8".into() });
    let mut binary = DataType::new(TypeKind::Binary { length_range: None });
    binary.encoding = Some(DataEncoding::Binary { size: BinarySize::Fixed { size_bits: 16 } });
    for (type_name, data_type) in
        [("u16", integer(16, false)), ("i32", integer(32, true)), ("mode", mode), ("text", text), ("binary", binary)]
    {
        model.parameter_types.insert(name(&format!("/t/{type_name}")), data_type);
    }
    for (param, type_name) in
        [("TEMP", "u16"), ("MODE", "mode"), ("NAME", "text"), ("DUMP", "binary"), ("COUNT", "i32"), ("ARRAY", "u16")]
    {
        let qualified = name(&format!("/t/{param}"));
        model.parameters.insert(qualified.clone(), Parameter::new(qualified, name(&format!("/t/{type_name}"))));
    }
    Plan::compile(&model).expect("the test model compiles")
}

/// The id of `/t/<param>`.
pub fn id(plan: &Plan, param: &str) -> ParamId {
    plan.parameter_id(&name(&format!("/t/{param}"))).expect("a test parameter")
}

/// A sample of a number: raw unsigned, engineering float.
pub fn number(parameter: ParamId, raw: u64, eng: f64) -> Sample {
    Sample::new(parameter, 0, 0, RawValue::Unsigned(raw), EngValue::Float(eng), AlarmLevel::Normal)
}

/// An archive with small segments.
pub fn open(dir: &TempDir, segment_samples_max: usize) -> Writer {
    let options = ArchiveOptions { segment_samples_max, ..ArchiveOptions::default() };
    archive::open(dir.path(), &options).expect("a fresh archive opens")
}

/// Rows in a table of the archive's database, read with SQLite directly.
pub fn count_rows(dir: &TempDir, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(dir.path().join("archive.sqlite")).expect("the database opens");
    conn.query_row(sql, [], |row| row.get(0)).expect("the count runs")
}

/// Writes one sample of `/t/TEMP` (raw = eng = value) at each time, committing after each
/// `commit_every` samples.
pub fn write_temps(writer: &mut Writer, plan: &Plan, times_values: &[(u64, u64)], commit_every: usize) {
    let temp = id(plan, "TEMP");
    for (idx, &(time_ms, value)) in times_values.iter().enumerate() {
        let sample = number(temp, value, value as f64);
        writer.packet(plan, time_ms, tm::ContainerId(0), &[], &[sample]);
        if (idx + 1) % commit_every.max(1) == 0 {
            writer.commit().expect("commit");
        }
    }
    writer.commit().expect("commit");
}
