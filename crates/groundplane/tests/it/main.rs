//! The `groundplane` binary end to end: the CLI (exit codes, output, `model diff` on real
//! models), the server (two missions over UDP and TCP, queries, live streams, crashes), and
//! the control plane through `groundplane mission`.

mod cli;
mod commanding;
mod control;
mod crash;
mod harness;
mod identity;
mod procedure;
mod release;
mod secrets;
mod server;
mod sim;
