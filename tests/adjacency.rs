//! The zone graph of real census blocks (Santa Rosa, California): blocks
//! come from one topology, so neighbours share exact edges, and some blocks
//! are islands or lie apart.

use std::path::{Path, PathBuf};
use std::time::Instant;

use catchment::spatial::{Adjacency, DEFAULT_TOLERANCE_M};

fn data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/santa-rosa");
    if dir.join("zones-2025.geojson").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: the Santa Rosa data is not at {} (it ships outside the crate)",
            dir.display()
        );
        None
    }
}

#[test]
fn santa_rosa_blocks() {
    let Some(dir) = data() else {
        return;
    };
    let schools = catchment::io::read_schools(&dir.join("schools.geojson")).expect("schools");
    let zones =
        catchment::io::read_zones(&dir.join("zones-2025.geojson"), &schools).expect("zones");
    assert_eq!(zones.len(), 967);

    let start = Instant::now();
    let adj = Adjacency::build(&zones, DEFAULT_TOLERANCE_M);
    let took = start.elapsed();

    assert_eq!(adj.len(), zones.len());
    for z in 0..adj.len() {
        let ns = adj.neighbours(z);
        assert!(ns.windows(2).all(|w| w[0] < w[1]));
        for &n in ns {
            assert_ne!(n as usize, z, "self loop");
            assert!(
                adj.neighbours(n as usize)
                    .binary_search(&(z as u32))
                    .is_ok(),
                "{z}-{n} is one-way"
            );
        }
    }

    let all: Vec<u32> = (0..zones.len() as u32).collect();
    let labels = adj.components_of(&all);
    let components = labels.iter().max().map_or(0, |&l| l as usize + 1);
    let mut sizes = vec![0usize; components];
    for &l in &labels {
        sizes[l as usize] += 1;
    }
    sizes.sort_unstable_by(|a, b| b.cmp(a));
    let mut degrees: Vec<usize> = (0..adj.len()).map(|z| adj.neighbours(z).len()).collect();
    degrees.sort_unstable();
    let isolated = degrees.iter().filter(|&&d| d == 0).count();
    let mean = 2.0 * adj.edges() as f64 / adj.len() as f64;
    eprintln!(
        "Santa Rosa: {} blocks, {} edges, built in {took:.2?}; {components} components \
         (largest {:?}), {isolated} isolated; degree min {} median {} mean {mean:.2} max {}",
        adj.len(),
        adj.edges(),
        &sizes[..sizes.len().min(5)],
        degrees[0],
        degrees[degrees.len() / 2],
        degrees[degrees.len() - 1],
    );
    assert!(sizes[0] * 10 >= zones.len() * 9, "largest piece {sizes:?}");
    assert!((4.0..=8.0).contains(&mean), "mean degree {mean}");

    // The same graph whatever the number of threads.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    assert_eq!(
        one.install(|| Adjacency::build(&zones, DEFAULT_TOLERANCE_M)),
        adj
    );
}
