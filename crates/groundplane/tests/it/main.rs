//! The `groundplane` binary end to end: the CLI (exit codes, output, `model diff` on real
//! models), and the server (two missions over UDP and TCP, queries, live streams, crashes).

mod cli;
mod commanding;
mod crash;
mod harness;
mod procedure;
mod release;
mod server;
mod sim;
