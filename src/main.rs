//! The `catchment` command line: thin glue over the library.

mod cli;

use std::process::ExitCode;

/// A heap per thread: with glibc's allocator a tenth of a province's run
/// went to allocating and freeing, the threads writing side by side
/// waiting on each other's frees (province: about 6.6 s -> 5.1 s).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    without_huge_pages();
    let code = run();
    cli::bench::record_peak_memory();
    code
}

/// Transparent huge pages off for the process. mimalloc asks for them,
/// and a run touches its heap sparsely and briefly: each first touch then
/// clears two megabytes. Without them, on the 2-core machine of the README
/// (alternating runs): the province 6.2-8.1 s -> 5.2 s (kernel time 2.4-4.3
/// -> 0.9 s), a tight 300-zone map 0.15 s faster with 47 MB instead of 77 MB
/// at most, the city as before (0.59 -> 0.61 s median of 5, 190 -> 168 MB).
fn without_huge_pages() {
    #[cfg(target_os = "linux")]
    // Where the kernel has no such switch, the run is only slower.
    let _ = nix::sys::prctl::set_thp_disable(true);
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
