//! `catchment serve SCENARIO.toml`: the officers' map in the browser.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::bail;
use catchment::run::Scenario;
use catchment::run::{Flags, Run};
use catchment::serve::{Admission, JOURNAL, Session, bind, random_token, serve};

#[derive(clap::Args)]
pub struct Args {
    /// The scenario file (TOML).
    scenario: PathBuf,
    /// Port to listen on (0: any free port; the URL printed says which).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on. The default keeps the map on this machine;
    /// another address (0.0.0.0: every network) opens it to the network,
    /// behind an access token printed once at start.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// On a network address, serve without the access token: anyone who
    /// can reach the address can view and edit the plan.
    #[arg(long)]
    insecure_no_auth: bool,
    /// The session's folder (default: out/NAME-edited, so that `catchment
    /// run`'s out/NAME stays as it was): the journal of edits
    /// (edits.jsonl), replayed when serve starts again on the same
    /// scenario and folder, and the exports (exports/TIME/).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Plan options over the scenario's; `--lang` is also the map's
    /// language (a page can ask for the other with ?lang=).
    #[command(flatten)]
    flags: Flags,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let t = Instant::now();
    // The port first: a busy port fails at once, not after the plan.
    let listener = bind(&args.host, args.port)?;
    let loopback = listener.local_addr()?.ip().is_loopback();
    if args.insecure_no_auth && loopback {
        bail!(
            "--insecure-no-auth is only for a network --host; on {} the map is already this machine's only",
            args.host
        );
    }
    let admission = match (loopback, args.insecure_no_auth) {
        (true, _) => Admission::Loopback,
        (false, false) => Admission::Token(random_token()),
        (false, true) => Admission::Open,
    };
    let scenario = Scenario::load(&args.scenario)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("out").join(format!("{}-edited", scenario.name)));
    eprintln!(
        "reading {} and making its plan ...",
        args.scenario.display()
    );
    let run = Run::from_scenario(scenario.clone(), &args.flags, Some(out.clone()))?;
    let session = Session::from_run(&run)?;
    let solve_s = session.seconds();
    let (zones, schools) = (session.region.zones.len(), session.region.schools.len());
    let server = serve(listener, session, admission, run.documents.lang)?;
    if args.insecure_no_auth {
        eprintln!(
            "warning: listening on {} without an access token: anyone who can reach this address can view and edit the plan",
            server.addr()
        );
    } else if server.access_token().is_some() {
        eprintln!(
            "listening on {}: open the address below once in each browser (it sets a cookie); keep it to yourself, it lets its holder edit the plan",
            server.addr()
        );
    }
    eprintln!(
        "{}: {zones} zones, {schools} schools; plan made in {solve_s:.2} s, ready in {:.2} s; edits are kept in {}, exports go to {}",
        scenario.name,
        t.elapsed().as_secs_f64(),
        out.join(JOURNAL).display(),
        out.join("exports").display()
    );
    let urls = server.urls();
    println!("serving the officers' map at {}", urls[0]);
    for u in &urls[1..] {
        println!("from other machines: {u}");
    }
    std::io::stdout().flush()?;
    eprintln!("press Ctrl+C to stop");
    server.wait();
    Ok(ExitCode::SUCCESS)
}
