//! The `catchment` command line: thin glue over the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    let code = run();
    cli::bench::record_peak_memory();
    code
}

fn run() -> ExitCode {
    match cli::main() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            // Usage errors exit 2 (clap); a run that fails exits 1.
            ExitCode::from(1)
        }
    }
}
