//! The `catchment` command line: thin glue over the library.

mod cli;

use std::process::ExitCode;

/// A heap per thread: with glibc's allocator a tenth of a province's run
/// went to allocating and freeing, the threads writing side by side
/// waiting on each other's frees (province: about 6.6 s -> 5.1 s).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
