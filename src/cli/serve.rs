//! `catchment serve SCENARIO.toml`: the officers' map in the browser.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use catchment::io::Scenario;
use catchment::run::{Flags, Run};
use catchment::serve::{Session, start};

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Port to listen on (0: any free port; the URL printed says which).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on. The default keeps the map on this machine;
    /// 0.0.0.0 opens it (and its editing) to every network it is on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Folder exports are written to (default: out/NAME-edited, so that
    /// `catchment run`'s out/NAME stays as it was).
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    flags: Flags,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let t = Instant::now();
    let scenario = Scenario::load(&args.scenario)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("out").join(format!("{}-edited", scenario.name)));
    let run = Run::from_scenario(scenario.clone(), &args.flags, Some(out.clone()))?;
    eprintln!(
        "reading {} and making its plan ...",
        args.scenario.display()
    );
    let session = Session::from_run(&run)?;
    let solve_s = session.seconds();
    let (zones, schools) = (session.region.zones.len(), session.region.schools.len());
    let server = start(session, &args.host, args.port)?;
    if !server.addr().ip().is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this address can view and edit the plan",
            server.addr()
        );
    }
    eprintln!(
        "{}: {zones} zones, {schools} schools; plan made in {solve_s:.2} s, ready in {:.2} s; exports go to {}",
        scenario.name,
        t.elapsed().as_secs_f64(),
        out.display()
    );
    println!("serving the officers' map at {}", server.url());
    std::io::stdout().flush()?;
    eprintln!("press Ctrl+C to stop");
    server.wait();
    Ok(ExitCode::SUCCESS)
}
