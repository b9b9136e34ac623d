//! Telling an XTCE file set from a SCOS-2000 MIB by file names and first bytes.

use crate::sources::SourceFile;

/// The format of a set of model files.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Xtce,
    Mib,
}

/// The table files whose presence marks a folder as a SCOS-2000 MIB.
const MIB_MARKERS: [&str; 4] = ["pcf.dat", "pid.dat", "ccf.dat", "plf.dat"];

/// Decides the kind of a file set: a MIB when any marker table (`pcf.dat`, `pid.dat`, ...)
/// is present, XTCE when every file looks like XML; `None` when neither.
pub fn detect(files: &[SourceFile]) -> Option<SourceKind> {
    if files.iter().any(|file| MIB_MARKERS.contains(&file.file_name().as_str())) {
        return Some(SourceKind::Mib);
    }
    let looks_xml = |file: &SourceFile| {
        let text = file.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&file.bytes);
        text.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
    };
    (!files.is_empty() && files.iter().all(looks_xml)).then_some(SourceKind::Xtce)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_name_and_content() {
        let mib = [SourceFile::new("mib/PCF.dat", "x\ty")];
        let xml = [SourceFile::new("a.xml", "\u{feff}  <?xml version='1.0'?><a/>")];
        let other = [SourceFile::new("notes.txt", "hello")];
        assert_eq!(detect(&mib), Some(SourceKind::Mib));
        assert_eq!(detect(&xml), Some(SourceKind::Xtce));
        assert_eq!(detect(&other), None);
        assert_eq!(detect(&[]), None);
    }
}
