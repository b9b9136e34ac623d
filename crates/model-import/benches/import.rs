//! Import time of the largest real mission databases (figures in BENCHMARKS.md).
//! Run: `cargo bench -p model-import --bench import`.

use divan::Bencher;
use model_import::SourceFile;

fn main() {
    divan::main();
}

fn read(relative: &str) -> Vec<SourceFile> {
    let path = test_utils::real(relative);
    let paths: Vec<std::path::PathBuf> = if path.is_dir() {
        let mut paths: Vec<_> = std::fs::read_dir(&path)
            .expect("bench input folder is readable")
            .map(|entry| entry.expect("bench input folder is readable").path())
            .collect();
        paths.sort();
        paths
    } else {
        vec![path]
    };
    paths
        .into_iter()
        .map(|p| SourceFile::new(p.display().to_string(), std::fs::read(&p).expect("bench input is readable")))
        .collect()
}

/// The largest XTCE files of the real material (about 147 KB each).
#[divan::bench(args = [
    "lasp-space_packet_parser/idex/idex_combined_science_definition.xml",
    "xtcetools-bogussat/BogusSAT-2.xml",
])]
fn xtce(bencher: Bencher, relative: &str) {
    let files = read(relative);
    let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
    bencher
        .counter(divan::counter::BytesCount::new(bytes))
        .bench(|| model_import::xtce::import(divan::black_box(&files)).is_ok());
}

/// The real SCOS-2000 MIB (small: 9 tables).
#[divan::bench]
fn mib(bencher: Bencher) {
    let files = read("spacepylibrary/mib-ascii");
    bencher.bench(|| model_import::mib::import(divan::black_box(&files)).is_ok());
}
