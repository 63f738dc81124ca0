//! Stable, distinct colours per school: the same school keeps its colour
//! from run to run (it depends only on the school layer), and neighbouring
//! schools get different ones, so adjacent catchments can be told apart.

use rstar::RTree;
use rstar::primitives::GeomWithData;
use spade::{DelaunayTriangulation, Point2, Triangulation};

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
/// school order over the schools' Delaunay neighbours plus their nearest
/// schools. Catchments are roughly the schools' Voronoi cells, whose
/// neighbours are exactly the Delaunay neighbours, so adjacent catchments
/// almost always differ; and the colours depend only on the school layer,
/// so a school keeps its colour while boundaries are edited.
pub fn school_colors(region: &Region, stage: Stage) -> Vec<[u8; 3]> {
    const NEAREST: usize = 6;
    let eligible: Vec<usize> = (0..region.schools.len())
        .filter(|&s| region.schools[s].takes_catchment(stage))
        .collect();
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); region.schools.len()];
    let tree = RTree::bulk_load(
        eligible
            .iter()
            .map(|&s| GeomWithData::new(unit_vector(region.schools[s].location), s))
            .collect(),
    );
    for &s in &eligible {
        for n in tree
            .nearest_neighbor_iter(&unit_vector(region.schools[s].location))
            .take(NEAREST + 1)
        {
            if n.data != s {
                neighbours[s].push(n.data);
                neighbours[n.data].push(s);
            }
        }
    }
    let mut delaunay: DelaunayTriangulation<Point2<f64>> = DelaunayTriangulation::new();
    let mut vertex_school = Vec::new();
    for &s in &eligible {
        let p = region.schools[s].location;
        let at = Point2::new(p.x() * p.y().to_radians().cos(), p.y());
        if let Ok(v) = delaunay.insert(at)
            && v.index() == vertex_school.len()
        {
            vertex_school.push(s);
        }
    }
    for e in delaunay.undirected_edges() {
        let [a, b] = e
            .vertices()
            .map(|v| vertex_school.get(v.fix().index()).copied());
        if let (Some(a), Some(b)) = (a, b) {
            neighbours[a].push(b);
            neighbours[b].push(a);
        }
    }
    let mut colour: Vec<Option<usize>> = vec![None; region.schools.len()];
    for &s in &eligible {
        let mut used = [false; PALETTE.len()];
        for &n in &neighbours[s] {
            if let Some(c) = colour[n] {
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
