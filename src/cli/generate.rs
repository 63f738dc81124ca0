//! `catchment generate`: a realistic synthetic county for demos and benchmarks.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

use catchment::generate::roads::{RoadWay, feature};
use catchment::generate::{
    Params, TightParams, generate_lumpy, generate_tight, generate_with_roads,
};
use catchment::io::write::{write_collection, write_region};

#[derive(clap::Args)]
pub struct Args {
    /// Random seed: the same seed gives the same county, byte for byte.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Residential zones.
    #[arg(long, default_value_t = 3000)]
    zones: usize,
    /// Schools (all stages, public and private).
    #[arg(long, default_value_t = 80)]
    schools: usize,
    /// Counties side by side (children stay in their county).
    #[arg(long, default_value_t = 1)]
    counties: usize,
    /// A tight county instead: point zones, each a large share of a
    /// school, and seats only 1-5 % above the children (primary only, one
    /// county), the hard case for connected catchments.
    #[arg(long, conflicts_with = "counties")]
    tight: bool,
    /// Lumpy counties: each county's children scaled so that its public
    /// seats stand only 1-15 % above them; with few zones per school (e.g.
    /// `--zones 300 --schools 50`) every zone is a large share of a school.
    #[arg(long, conflicts_with = "tight")]
    lumpy: bool,
    /// Folder for zones.geojson, schools.geojson and (except for --tight
    /// and --lumpy) roads.geojson.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(args.zones > 0, "--zones must be at least 1");
    anyhow::ensure!(args.schools > 0, "--schools must be at least 1");
    anyhow::ensure!(
        args.counties > 0 && args.counties <= args.schools,
        "--counties must be between 1 and the number of schools"
    );
    let params = Params {
        seed: args.seed,
        zones: args.zones,
        schools: args.schools,
        counties: args.counties,
    };
    let (region, roads) = if args.tight {
        let region = generate_tight(&TightParams {
            seed: args.seed,
            zones: args.zones,
            schools: args.schools.min(args.zones),
        });
        (region, None)
    } else if args.lumpy {
        (generate_lumpy(&params), None)
    } else {
        let (region, counties) = generate_with_roads(&params);
        let ways: Vec<RoadWay> = counties.into_iter().flat_map(|c| c.ways).collect();
        (region, Some(ways))
    };
    write_region(&region, &args.out)
        .with_context(|| format!("writing the county to {}", args.out.display()))?;
    if let Some(ways) = &roads {
        let path = args.out.join("roads.geojson");
        write_collection(&path, ways, feature)
            .with_context(|| format!("writing the roads to {}", path.display()))?;
    }
    println!(
        "wrote {} zones and {} schools{} to {}",
        region.zones.len(),
        region.schools.len(),
        roads.map_or(String::new(), |w| format!(" and {} roads", w.len())),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
