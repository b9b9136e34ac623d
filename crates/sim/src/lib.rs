//! A deterministic spacecraft simulator generated from the mission model, for tests and AIV
//! rehearsals.
//!
//! Every concrete telemetry container whose restriction criteria it can satisfy and whose
//! entries have static positions is emitted periodically with plausible values: counters,
//! sinusoids and cycling enumerations kept within the type's normal range, the simulated
//! time in time fields and the PUS header, per-APID sequence counts, the right packet
//! length and CRC. Telecommands are answered with PUS 1 verification reports, PUS 17 pings,
//! PUS 3 housekeeping switching and PUS 11 time-based scheduling (TC[11,4] activities released
//! by `tick` at their release time); a [`Scenario`] adds out-of-limits values, events,
//! rejections, verification delays, drops and corruption.
//!
//! Never: read a clock (time comes in as `now_ms`, seconds from each time type's epoch), do
//! I/O, or panic on telecommand bytes. Randomness comes from the seed alone.

mod bits;
mod command;
mod config;
mod layout;
mod packet;
mod rng;
mod scenario;
mod schedule;
mod sim;
mod values;

pub use command::{FAILURE_INVALID_DATA, FAILURE_MALFORMED, FAILURE_UNKNOWN_COMMAND};
pub use config::{PusTmLayout, SimConfig, SimError};
pub use layout::PACKET_LEN_MAX;
pub use scenario::{Action, Reject, RejectTarget, Scenario, ScenarioError, TimedAction, SCENARIO_LEN_MAX};
pub use schedule::{FAILURE_SCHEDULE_FULL, FAILURE_SCHEDULE_TIME_IN_THE_PAST, SCHEDULE_MAX};
pub use sim::{Emitted, Simulator, Skipped, HELD_MAX};
