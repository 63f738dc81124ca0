//! OpenStreetMap `.osm.pbf` extracts: the highway ways of the area the
//! zones cover, as lon/lat lines with their tags.
//!
//! The file is read twice, in parallel over its blocks: first the highway
//! ways (keeping the ids of the nodes they use), then only those nodes. A
//! province's extract holds tens of millions of nodes, most of them
//! buildings and land use; keeping every node would cost gigabytes where
//! the road nodes cost megabytes.
//!
//! Extracts cut at a boundary name nodes they do not hold. A way is never
//! bridged across such a gap (that would invent a straight road that does
//! not exist): it is split there, and each run of two or more nodes it
//! holds is kept as a way of the same id.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use geo::{Coord, Rect};
use osmpbf::{Element, ElementReader, ErrorKind};

/// One highway way (or one run of it, see the module doc), with its nodes
/// resolved to coordinates: x = longitude, y = latitude.
#[derive(Clone, Debug, PartialEq)]
pub struct OsmWay {
    pub id: i64,
    pub node_ids: Vec<i64>,
    pub coords: Vec<Coord<f64>>,
    pub tags: BTreeMap<String, String>,
}

/// Why an extract could not be read.
#[derive(Debug, thiserror::Error)]
pub enum OsmError {
    #[error("{path}: cannot read the file: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "{path}: not an OpenStreetMap PBF extract ({found}); expected an .osm.pbf file as Geofabrik or `osmium extract` write it"
    )]
    NotPbf { path: PathBuf, found: String },
    #[error(
        "{path}: the PBF extract is truncated or corrupt ({message}); download or extract it again"
    )]
    Corrupt { path: PathBuf, message: String },
    #[error(
        "{path}: holds no highway ways within lon {min_lon:.4}..{max_lon:.4}, lat {min_lat:.4}..{max_lat:.4} (the zones' area); expected an extract that covers the zones"
    )]
    NoHighways {
        path: PathBuf,
        min_lon: f64,
        max_lon: f64,
        min_lat: f64,
        max_lat: f64,
    },
}

/// The highway ways of an extract that have a node inside `clip` (lon/lat;
/// the caller adds its margin), whole, sorted by way id (and runs of one
/// way in their order along it): the same result on any number of threads.
pub fn read_osm_ways(path: &Path, clip: Rect<f64>) -> Result<Vec<OsmWay>, OsmError> {
    check_signature(path)?;
    let drafts = highway_drafts(path)?;
    let needed: HashSet<i64> = drafts
        .iter()
        .flat_map(|w| w.node_ids.iter().copied())
        .collect();
    let located = locate_nodes(path, &needed)?;
    drop(needed);
    let mut ways: Vec<OsmWay> = drafts
        .into_iter()
        .flat_map(|draft| resolve(draft, &located))
        .filter(|way| way.coords.iter().any(|&c| inside(clip, c)))
        .collect();
    // Runs of one way come out of `resolve` in order, and the sort is stable.
    ways.sort_by_key(|w| w.id);
    if ways.is_empty() {
        return Err(OsmError::NoHighways {
            path: path.to_path_buf(),
            min_lon: clip.min().x,
            max_lon: clip.max().x,
            min_lat: clip.min().y,
            max_lat: clip.max().y,
        });
    }
    Ok(ways)
}

/// Whether the file begins as a PBF does: a blob header of a sane length
/// naming an `OSMHeader` or `OSMData` blob. Anything else (GeoJSON, XML, a
/// zip, an empty file) is told apart from a PBF that breaks off later.
fn check_signature(path: &Path) -> Result<(), OsmError> {
    let read_error = |source| OsmError::Read {
        path: path.to_path_buf(),
        source,
    };
    let not_pbf = |found: &str| OsmError::NotPbf {
        path: path.to_path_buf(),
        found: found.to_string(),
    };
    let mut file = File::open(path).map_err(read_error)?;
    let mut length = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        match file.read(&mut length[got..]).map_err(read_error)? {
            0 => break,
            n => got += n,
        }
    }
    if got == 0 {
        return Err(not_pbf("the file is empty"));
    }
    if got < 4 {
        return Err(not_pbf("the file is shorter than a PBF header"));
    }
    // A blob header holds a type string and two small numbers: tens of
    // bytes. The format allows up to 64 KiB.
    let length = u32::from_be_bytes(length) as usize;
    if length == 0 || length > 64 * 1024 {
        return Err(not_pbf("it does not begin with a PBF blob header"));
    }
    let mut header = Vec::with_capacity(length);
    file.take(length as u64)
        .read_to_end(&mut header)
        .map_err(read_error)?;
    let names_blob = |name: &[u8]| header.windows(name.len()).any(|w| w == name);
    if !names_blob(b"OSMHeader") && !names_blob(b"OSMData") {
        return Err(not_pbf("its first blob is neither OSMHeader nor OSMData"));
    }
    Ok(())
}

fn corrupt(path: &Path, error: osmpbf::Error) -> OsmError {
    let message = match error.kind() {
        ErrorKind::Io(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            "the file ends in the middle of a block".to_string()
        }
        ErrorKind::Io(e) => return read_failed(path, e),
        _ => error.to_string(),
    };
    OsmError::Corrupt {
        path: path.to_path_buf(),
        message,
    }
}

fn read_failed(path: &Path, e: &std::io::Error) -> OsmError {
    OsmError::Read {
        path: path.to_path_buf(),
        source: std::io::Error::new(e.kind(), e.to_string()),
    }
}

/// A highway way before its nodes are located.
struct Draft {
    id: i64,
    node_ids: Vec<i64>,
    tags: BTreeMap<String, String>,
}

/// First pass: the ways with a `highway` tag, in no particular order.
fn highway_drafts(path: &Path) -> Result<Vec<Draft>, OsmError> {
    let reader = ElementReader::from_path(path).map_err(|e| corrupt(path, e))?;
    reader
        .par_map_reduce(
            |element| match element {
                Element::Way(way) if way.tags().any(|(k, _)| k == "highway") => vec![Draft {
                    id: way.id(),
                    node_ids: way.refs().collect(),
                    tags: way
                        .tags()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect(),
                }],
                _ => Vec::new(),
            },
            Vec::new,
            concat,
        )
        .map_err(|e| corrupt(path, e))
}

/// Second pass: where the needed nodes are, plain and dense alike.
fn locate_nodes(path: &Path, needed: &HashSet<i64>) -> Result<HashMap<i64, Coord<f64>>, OsmError> {
    let reader = ElementReader::from_path(path).map_err(|e| corrupt(path, e))?;
    let found = reader
        .par_map_reduce(
            |element| {
                let (id, x, y) = match element {
                    Element::Node(n) => (n.id(), n.lon(), n.lat()),
                    Element::DenseNode(n) => (n.id(), n.lon(), n.lat()),
                    _ => return Vec::new(),
                };
                if needed.contains(&id) {
                    vec![(id, Coord { x, y })]
                } else {
                    Vec::new()
                }
            },
            Vec::new,
            concat,
        )
        .map_err(|e| corrupt(path, e))?;
    Ok(found.into_iter().collect())
}

fn concat<T>(mut a: Vec<T>, mut b: Vec<T>) -> Vec<T> {
    if a.len() < b.len() {
        std::mem::swap(&mut a, &mut b);
    }
    a.append(&mut b);
    a
}

/// The runs of two or more consecutive nodes of a way that the file holds.
fn resolve(draft: Draft, located: &HashMap<i64, Coord<f64>>) -> Vec<OsmWay> {
    let mut runs = Vec::new();
    let mut node_ids = Vec::new();
    let mut coords = Vec::new();
    let mut close = |node_ids: &mut Vec<i64>, coords: &mut Vec<Coord<f64>>| {
        if node_ids.len() >= 2 {
            runs.push(OsmWay {
                id: draft.id,
                node_ids: std::mem::take(node_ids),
                coords: std::mem::take(coords),
                tags: BTreeMap::new(),
            });
        } else {
            node_ids.clear();
            coords.clear();
        }
    };
    for &node in &draft.node_ids {
        match located.get(&node) {
            Some(&c) => {
                node_ids.push(node);
                coords.push(c);
            }
            None => close(&mut node_ids, &mut coords),
        }
    }
    close(&mut node_ids, &mut coords);
    if let Some((last, rest)) = runs.split_last_mut() {
        for run in rest {
            run.tags = draft.tags.clone();
        }
        last.tags = draft.tags;
    }
    runs
}

fn inside(clip: Rect<f64>, c: Coord<f64>) -> bool {
    let (lo, hi) = (clip.min(), clip.max());
    (lo.x..=hi.x).contains(&c.x) && (lo.y..=hi.y).contains(&c.y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/osm")
            .join(name)
    }

    fn everywhere() -> Rect<f64> {
        Rect::new(
            Coord {
                x: -180.0,
                y: -90.0,
            },
            Coord { x: 180.0, y: 90.0 },
        )
    }

    // Expected values below were read once from the same files with
    // pyosmium 4.3 (libosmium), independently of this reader.

    #[test]
    fn reads_every_highway_way_of_the_extract() {
        let ways = read_osm_ways(&data("pyrosm-test.osm.pbf"), everywhere()).unwrap();
        // 343 highway ways; 12 of them keep fewer than two of their nodes
        // in this cut extract, and none is split in two.
        assert_eq!(ways.len(), 331);
        assert!(ways.windows(2).all(|w| w[0].id < w[1].id));
        assert_eq!(ways[0].id, 4732994);
        assert_eq!(ways[ways.len() - 1].id, 665678337);
        assert!(ways.iter().all(|w| w.tags.contains_key("highway")));
        let residential = ways
            .iter()
            .filter(|w| w.tags["highway"] == "residential")
            .count();
        assert_eq!(residential, 124);
        for w in &ways {
            assert_eq!(w.node_ids.len(), w.coords.len());
            assert!(w.coords.len() >= 2);
        }
    }

    fn assert_near(c: Coord<f64>, lon: f64, lat: f64) {
        // PBF stores 100 nanodegrees; 1e-7 is its resolution.
        assert!(
            (c.x - lon).abs() < 1e-7 && (c.y - lat).abs() < 1e-7,
            "{c:?} vs {lon} {lat}"
        );
    }

    fn tapiontie(ways: &[OsmWay]) -> &OsmWay {
        ways.iter()
            .find(|w| w.id == 39653008)
            .expect("way 39653008")
    }

    fn check_tapiontie(way: &OsmWay) {
        let tags: Vec<(&str, &str)> = way
            .tags
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            tags,
            [
                ("highway", "secondary"),
                ("name", "Tapiontie"),
                ("name:fi", "Tapiontie"),
                ("oneway", "yes"),
                ("ref", "170"),
            ]
        );
        assert_eq!(way.node_ids, [372554346, 2453037388, 2453037413]);
        assert_near(way.coords[0], 26.9506398, 60.5209998);
        assert_near(way.coords[1], 26.9504665, 60.5210889);
        assert_near(way.coords[2], 26.9489144, 60.5218053);
    }

    /// Way 4732994 (Hurukselantie) names 19 nodes; the extract holds its
    /// first 11.
    fn check_hurukselantie(ways: &[OsmWay]) {
        let runs: Vec<&OsmWay> = ways.iter().filter(|w| w.id == 4732994).collect();
        assert_eq!(runs.len(), 1);
        let way = runs[0];
        assert_eq!(way.node_ids.len(), 11);
        assert_eq!(way.node_ids[0], 36156596);
        assert_eq!(way.node_ids[10], 277446341);
        assert_near(way.coords[0], 26.9431029, 60.5257978);
        assert_near(way.coords[10], 26.9319389, 60.5381256);
        assert_eq!(way.tags["maxspeed"], "80");
    }

    #[test]
    fn dense_nodes_resolve_to_their_coordinates() {
        let ways = read_osm_ways(&data("pyrosm-test.osm.pbf"), everywhere()).unwrap();
        check_tapiontie(tapiontie(&ways));
        check_hurukselantie(&ways);
    }

    #[test]
    fn plain_nodes_resolve_to_their_coordinates() {
        // The same two ways and a building, written with plain nodes.
        let path = data("plain-nodes.osm.pbf");
        let (mut plain, mut dense) = (0, 0);
        ElementReader::from_path(&path)
            .unwrap()
            .for_each(|e| match e {
                Element::Node(_) => plain += 1,
                Element::DenseNode(_) => dense += 1,
                _ => {}
            })
            .unwrap();
        assert_eq!((plain, dense), (22, 0));
        let ways = read_osm_ways(&path, everywhere()).unwrap();
        assert_eq!(
            ways.iter().map(|w| w.id).collect::<Vec<_>>(),
            [4732994, 39653008]
        );
        check_tapiontie(tapiontie(&ways));
        check_hurukselantie(&ways);
    }

    #[test]
    fn clip_keeps_ways_with_a_node_inside() {
        let clip = Rect::new(
            Coord {
                x: 26.94,
                y: 60.525,
            },
            Coord {
                x: 26.955,
                y: 60.535,
            },
        );
        let ways = read_osm_ways(&data("pyrosm-test.osm.pbf"), clip).unwrap();
        assert_eq!(ways.len(), 72);
        assert_eq!(ways[0].id, 4732994);
        assert_eq!(ways[71].id, 589205485);
        for w in &ways {
            assert!(w.coords.iter().any(|&c| inside(clip, c)));
        }
        // Kept whole: Hurukselantie runs out of the box.
        check_hurukselantie(&ways);
    }

    #[test]
    fn same_ways_on_one_thread() {
        let path = data("pyrosm-test.osm.pbf");
        let many = read_osm_ways(&path, everywhere()).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let one = pool.install(|| read_osm_ways(&path, everywhere())).unwrap();
        assert_eq!(many, one);
    }

    #[test]
    fn a_clip_outside_the_extract_is_an_error() {
        let clip = Rect::new(Coord { x: 118.0, y: 31.0 }, Coord { x: 118.5, y: 31.5 });
        let err = read_osm_ways(&data("pyrosm-test.osm.pbf"), clip).unwrap_err();
        assert!(matches!(err, OsmError::NoHighways { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("pyrosm-test.osm.pbf"), "{text}");
        assert!(text.contains("no highway ways"), "{text}");
    }

    #[test]
    fn a_truncated_extract_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(data("pyrosm-test.osm.pbf")).unwrap();
        let path = dir.path().join("cut.osm.pbf");
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let err = read_osm_ways(&path, everywhere()).unwrap_err();
        assert!(matches!(err, OsmError::Corrupt { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("cut.osm.pbf"), "{text}");
        assert!(text.contains("truncated"), "{text}");
    }

    #[test]
    fn a_corrupt_block_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut bytes = std::fs::read(data("pyrosm-test.osm.pbf")).unwrap();
        // Scramble compressed data in the middle of the file.
        let mid = bytes.len() / 2;
        for b in &mut bytes[mid..mid + 64] {
            *b ^= 0x5A;
        }
        let path = dir.path().join("scrambled.osm.pbf");
        std::fs::write(&path, &bytes).unwrap();
        let err = read_osm_ways(&path, everywhere()).unwrap_err();
        assert!(matches!(err, OsmError::Corrupt { .. }), "{err}");
        assert!(err.to_string().contains("scrambled.osm.pbf"));
    }

    #[test]
    fn other_files_are_not_pbf() {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in [
            (
                "roads.geojson",
                &br#"{"type": "FeatureCollection", "features": []}"#[..],
            ),
            ("empty.osm.pbf", b""),
            ("short.osm.pbf", b"\0\0"),
        ] {
            let path = dir.path().join(name);
            std::fs::write(&path, content).unwrap();
            let err = read_osm_ways(&path, everywhere()).unwrap_err();
            assert!(matches!(err, OsmError::NotPbf { .. }), "{name}: {err}");
            assert!(err.to_string().contains(name), "{err}");
        }
        let err = read_osm_ways(&dir.path().join("missing.osm.pbf"), everywhere()).unwrap_err();
        assert!(matches!(err, OsmError::Read { .. }), "{err}");
        assert!(err.to_string().contains("missing.osm.pbf"));
    }
}
