//! The archive through its public API, on real SQLite files in temporary directories.

mod backfill;
mod paging;
mod records;
mod samples;
mod support;
