//! Telemetry processing: raw bits to engineering values and monitoring results, driven by the
//! mission model.
//!
//! This first part holds the value-level pieces the decoding plan is built from: reading bit
//! fields in any byte order, integer and float encodings, calibration and limit checking.
//! It does no I/O, reads no clock, and never panics on packet bytes: a field that does not fit
//! is an error naming its bit offset.

mod bits;
mod calibrate;
mod encoding;
mod monitor;

pub use bits::{read_bits, BitsError};
pub use calibrate::{calibrate, CalibrationError};
pub use encoding::{decode_float, decode_integer, DecodeError};
pub use monitor::{check_enumeration, check_ranges};
