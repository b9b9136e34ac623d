//! Integration tests of the importers on real and synthetic mission databases.

mod mib;
mod xtce;
