//! Repository automation in Rust: `cargo xtask tidy` checks the rules STYLE.md states that
//! the compiler does not. `cargo test -p xtask` runs the same checks as tests.

mod tidy;

use std::process::ExitCode;

fn main() -> ExitCode {
    let task = std::env::args().nth(1);
    match task.as_deref() {
        Some("tidy") => match tidy::run(&tidy::repo_root()) {
            Ok(problems) if problems.is_empty() => {
                println!("tidy: ok");
                ExitCode::SUCCESS
            }
            Ok(problems) => {
                for problem in &problems {
                    eprintln!("tidy: {problem}");
                }
                ExitCode::FAILURE
            }
            Err(error) => {
                eprintln!("tidy: {error:#}");
                ExitCode::from(2)
            }
        },
        _ => {
            eprintln!("usage: cargo xtask tidy");
            ExitCode::from(2)
        }
    }
}
