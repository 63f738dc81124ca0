//! The `catchment` command line: thin glue over the library.

mod cli;

use std::process::ExitCode;

/// A heap per thread: with glibc's allocator a tenth of a province's run
/// went to allocating and freeing, the threads writing side by side
/// waiting on each other's frees (province: 6.8-7.0 s -> 5.0-5.1 s).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_e`, the
/// same in mimalloc 2 and 3; the crate names only the options before it).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory freed is given back to the system after a second instead of
/// 10 ms: a run frees and takes again hundreds of megabytes from one step
/// to the next, and giving them back and faulting them in again cost a
/// province's run up to two seconds of system time.
fn keep_freed_memory_a_while() {
    // SAFETY: sets one of mimalloc's options to a value it documents.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 1000) };
}

fn main() -> ExitCode {
    keep_freed_memory_a_while();
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
