//! Telemetry processing: raw bits to engineering values and monitoring results, driven by the
//! mission model.
//!
//! A `Plan` is compiled once per model version: flat tables of parameters, types and
//! containers indexed by number. A `Processor` identifies each packet through the container
//! tree (or its PUS key for SCOS-2000 packets) and appends one `Sample` per value: raw,
//! engineering (calibrated) and monitoring level.
//!
//! It does no I/O, reads no clock, and never panics on packet bytes: a field that does not fit
//! is an error naming its bit offset.

pub mod alarms;
mod bits;
mod calibrate;
mod encoding;
pub mod link;
mod monitor;
mod plan;
mod process;
pub mod pus;
mod value;

pub use bits::{read_bits, BitsError};
pub use calibrate::{calibrate, CalibrationError};
pub use encoding::{decode_float, decode_integer, DecodeError};
pub use monitor::{check_enumeration, check_ranges};
pub use plan::{PacketTime, ParamInfo, Plan, PlanError};
pub use process::{ProcessError, Processor, DERIVED_BIT_OFFSET, REPEAT_MAX};
pub use value::{ContainerId, EngValue, ParamId, RawValue, Sample};
