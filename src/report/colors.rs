//! Stable, distinct colours per school: the same school keeps its colour
//! from run to run (it depends only on the school layer), and neighbouring
//! schools get different ones, so adjacent catchments can be told apart.

use rstar::RTree;
use rstar::primitives::GeomWithData;

use crate::model::{Region, Stage};
use crate::spatial::unit_vector;

/// ColorBrewer Set3: twelve light colours that carry dark outlines and text.
pub const PALETTE: [[u8; 3]; 12] = [
    [0x8d, 0xd3, 0xc7],
    [0xff, 0xff, 0xb3],
    [0xbe, 0xba, 0xda],
    [0xfb, 0x80, 0x72],
    [0x80, 0xb1, 0xd3],
    [0xfd, 0xb4, 0x62],
    [0xb3, 0xde, 0x69],
    [0xfc, 0xcd, 0xe5],
    [0xd9, 0xd9, 0xd9],
    [0xbc, 0x80, 0xbd],
    [0xcc, 0xeb, 0xc5],
    [0xff, 0xed, 0x6f],
];

/// Grey for schools without a catchment in this stage.
pub const NO_CATCHMENT: [u8; 3] = [0xee, 0xee, 0xee];

/// A colour per school (indexed like `region.schools`): greedy colouring in
/// school order, avoiding the colours of the nearest schools of the stage.
pub fn school_colors(region: &Region, stage: Stage) -> Vec<[u8; 3]> {
    const NEIGHBOURS: usize = 8;
    let eligible: Vec<usize> = (0..region.schools.len())
        .filter(|&s| region.schools[s].takes_catchment(stage))
        .collect();
    let tree = RTree::bulk_load(
        eligible
            .iter()
            .map(|&s| GeomWithData::new(unit_vector(region.schools[s].location), s))
            .collect(),
    );
    let mut colour: Vec<Option<usize>> = vec![None; region.schools.len()];
    for &s in &eligible {
        let mut used = [false; PALETTE.len()];
        for n in tree
            .nearest_neighbor_iter(&unit_vector(region.schools[s].location))
            .take(NEIGHBOURS + 1)
        {
            if let Some(c) = colour[n.data] {
                used[c] = true;
            }
        }
        colour[s] = Some(used.iter().position(|u| !u).unwrap_or(s % PALETTE.len()));
    }
    colour
        .into_iter()
        .map(|c| c.map_or(NO_CATCHMENT, |c| PALETTE[c]))
        .collect()
}

/// `#rrggbb` for GeoJSON properties and web pages.
pub fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}
