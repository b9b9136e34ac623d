//! Telecommanding, without I/O: argument checks against the model, encoding of commands
//! (PUS-C telecommand packets, other layouts the model defines, TC transfer frames), and the
//! life of a command (queues, approval, release, verification stages, timeouts).
//!
//! Never: read a clock, touch a socket, or encode a command whose arguments were not checked.

pub mod args;
pub mod encode;
pub mod frame;
pub mod lifecycle;
pub mod pus;
pub mod pus11;
pub mod request;
