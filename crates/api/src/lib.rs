//! The HTTP and WebSocket API: routes, the single request gate, OpenAPI, wire formats.
//!
//! Only this crate knows HTTP. It never touches the archive or the links itself: it asks a
//! `Backend`, and every request passes the one gate (identify, authorize, record) first.

pub mod backend;
pub mod gate;
pub mod wire;
