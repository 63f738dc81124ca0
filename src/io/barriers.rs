//! `barriers.geojson`: rivers, expressways and railways children should not
//! cross — LineString or MultiLineString features (Polygons accepted: their
//! rings are the barrier), with an optional `name`, in the coordinate
//! system the scenario declares for it (`barriers_crs`, else `crs`): a
//! river traced on Amap is GCJ-02 like the compounds picked there.

use std::path::Path;

use geojson::GeometryValue;

use super::InputError;
use super::features::{FeatureReader, Place, read_collection};
use crate::spatial::crs::Crs;
use crate::spatial::{Barrier, lines_of};

pub fn read_barriers(path: &Path, crs: Crs) -> Result<Vec<Barrier>, InputError> {
    let features = read_collection(path, "barrier (a LineString or MultiLineString feature)")?;
    let mut barriers = Vec::with_capacity(features.len());
    for (index, mut feature) in features.into_iter().enumerate() {
        let f = FeatureReader::new(path, Place::Feature(index), &mut feature);
        const EXPECTED: &str = "a LineString or MultiLineString (or a Polygon) of the barrier";
        let Some(value) = feature.geometry.as_ref().map(|g| &g.value) else {
            return Err(f.error("geometry", "missing", EXPECTED));
        };
        f.check_coordinates(value)?;
        match value {
            GeometryValue::LineString { .. }
            | GeometryValue::MultiLineString { .. }
            | GeometryValue::Polygon { .. }
            | GeometryValue::MultiPolygon { .. } => {}
            other => return Err(f.error("geometry", format!("a {}", other.type_name()), EXPECTED)),
        }
        let mut value = value.clone();
        crs.geometry_to_wgs84(&mut value);
        let geometry = geo::Geometry::<f64>::try_from(&value)
            .map_err(|e| f.error("geometry", e.to_string(), EXPECTED))?;
        let name = f
            .string("name")?
            .or_else(|| f.id.clone())
            .unwrap_or_else(|| format!("barrier {}", index + 1));
        barriers.push(Barrier {
            name,
            lines: lines_of(&geometry),
        });
    }
    Ok(barriers)
}
