//! `zones.geojson`: the input zones, their properties passed through, with
//! the plan's answer for each stage added.

use std::io::Write;

use geojson::{Feature, Geometry, GeometryValue};
use rayon::prelude::*;
use serde_json::{Map, Value};

use crate::model::{Region, Shape, Stage, Zone};
use crate::plan::{MigrantPass, Plan};

/// `crs`: the coordinate system of the geometry written.
pub fn write(
    w: &mut dyn Write,
    region: &Region,
    plan: &Plan,
    crs: crate::spatial::Crs,
) -> std::io::Result<()> {
    let crossing: [std::collections::HashMap<usize, &(usize, usize, String)>; 2] =
        Stage::ALL.map(|stage| {
            plan.crossings[stage.index()]
                .iter()
                .map(|c| (c.0, c))
                .collect()
        });
    let migrant_crossing: [std::collections::HashMap<usize, &String>; 2] =
        Stage::ALL.map(|stage| {
            plan.migrant.as_ref().map_or_else(Default::default, |m| {
                m.crossings[stage.index()]
                    .iter()
                    .map(|c| (c.0, &c.2))
                    .collect()
            })
        });
    let road = region.distances.road().is_some();
    let fallback: std::collections::HashMap<usize, &crate::spatial::Fallback> =
        crate::spatial::road_distances(&region.distances)
            .map(|r| r.fallback_zones().map(|f| (f.index, f)).collect())
            .unwrap_or_default();
    let feature = |z: usize| {
        let zone = &region.zones[z];
        let mut added = Added::default();
        model_fields(&mut added, region, zone);
        if let Some(f) = fallback.get(&z) {
            added.insert("distance_fallback".into(), f.reason.key().into());
        }
        for stage in Stage::ALL {
            let zp = &plan.stage(stage).zones[z];
            let key = stage.key();
            added.insert(
                format!("school_{key}"),
                zp.school.map_or(Value::Null, |s| {
                    region.schools[s as usize].id.clone().into()
                }),
            );
            travel(&mut added, region, zone, key, zp);
            if road {
                added.insert(
                    format!("straight_km_{key}"),
                    km(straight_metres(region, zone, zp.school)),
                );
            }
            added.insert(format!("unplaced_{key}"), zp.unplaced.into());
            let purchased = zp.in_purchased_seats();
            if purchased > 0 {
                added.insert(format!("purchased_{key}"), purchased.into());
            }
            let in_rooms = zp.in_resource_rooms();
            if in_rooms > 0 {
                added.insert(format!("resource_room_{key}"), in_rooms.into());
            }
            if let Some(reason) = &zp.reason {
                added.insert(format!("unplaced_reason_{key}"), reason.to_string().into());
            }
            if let Some((_, _, barrier)) = crossing[stage.index()].get(&z) {
                added.insert(format!("barrier_{key}"), barrier.clone().into());
            }
        }
        if let Some(m) = &plan.migrant {
            for stage in Stage::ALL {
                let barrier = migrant_crossing[stage.index()].get(&z).copied();
                migrant_properties(&mut added, region, plan, m, stage, z, barrier);
            }
        }
        let mut geometry = shape_geometry(&zone.shape);
        crs.geometry_from_wgs84(&mut geometry);
        zone_feature_json(geometry, &zone.properties, &added)
    };
    // A chunk of zones at a time, made side by side and written in order:
    // a country's file is gigabytes, not held whole in memory.
    let mut out = Collection::start(w)?;
    for start in (0..region.zones.len()).step_by(WRITE_CHUNK) {
        let end = (start + WRITE_CHUNK).min(region.zones.len());
        let features: Vec<Vec<u8>> = (start..end).into_par_iter().map(feature).collect();
        for f in &features {
            out.feature(f)?;
        }
    }
    out.finish()
}

/// `km_<key>`, road km to the zone's school; where the objective counts
/// minutes, `min_<key>` beside it (the km are then those of the fastest
/// way).
fn travel(
    properties: &mut Added,
    region: &Region,
    zone: &Zone,
    key: &str,
    zp: &crate::plan::ZonePlan,
) {
    let d = &region.distances;
    let length = zp
        .metres
        .zip(zp.school)
        .map(|(m, s)| d.length_of(zone.centroid, region.schools[s as usize].location, m));
    properties.insert(format!("km_{key}"), km(length.or(zp.metres)));
    if d.metres_per_minute().is_some() {
        let minutes = zp
            .metres
            .and_then(|m| d.minutes(m))
            .map(|x| (x * 1000.0).round() / 1000.0);
        let value = minutes
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number);
        properties.insert(format!("min_{key}"), value);
    }
}

/// Great-circle metres from a zone to a school, beside the road ones.
fn straight_metres(region: &Region, zone: &Zone, school: Option<u32>) -> Option<i64> {
    school.map(|s| {
        crate::spatial::Distances::straight_metres(
            zone.centroid,
            region.schools[s as usize].location,
        )
    })
}

/// Children and today's school as the plan saw them: a scenario's growth
/// factors and closures change the model, not the properties read from the
/// file, so the published counts and `current_*` are taken from the model
/// (children = placed + unplaced holds in this file too).
fn model_fields(properties: &mut Added, region: &Region, zone: &Zone) {
    for stage in Stage::ALL {
        let key = stage.key();
        let cohort = zone.cohort(stage);
        properties.insert(format!("{key}_local"), cohort.local.into());
        properties.insert(format!("{key}_migrant"), cohort.migrant.into());
        let field = format!("current_{key}");
        match zone.current[stage.index()] {
            Some(s) => properties.insert(field, region.schools[s].id.clone().into()),
            None => properties.remove(field),
        }
    }
}

/// With separate migrant catchments: the zone's migrant school (and km), and
/// its migrant children folded into the stage's unplaced, purchased and
/// resource-room counts, which then cover all its children.
fn migrant_properties(
    properties: &mut Added,
    region: &Region,
    plan: &Plan,
    m: &MigrantPass,
    stage: Stage,
    z: usize,
    barrier: Option<&String>,
) {
    let key = stage.key();
    let zp = &m.stages[stage.index()].zones[z];
    let local = &plan.stage(stage).zones[z];
    properties.insert(
        format!("school_{key}_migrant"),
        zp.school.map_or(Value::Null, |s| {
            region.schools[s as usize].id.clone().into()
        }),
    );
    travel(
        properties,
        region,
        &region.zones[z],
        &format!("{key}_migrant"),
        zp,
    );
    if region.distances.road().is_some() {
        properties.insert(
            format!("straight_km_{key}_migrant"),
            km(straight_metres(region, &region.zones[z], zp.school)),
        );
    }
    properties.insert(
        format!("unplaced_{key}"),
        (local.unplaced + zp.unplaced).into(),
    );
    let purchased = local.in_purchased_seats() + zp.in_purchased_seats();
    if purchased > 0 {
        properties.insert(format!("purchased_{key}"), purchased.into());
    }
    let in_rooms = local.in_resource_rooms() + zp.in_resource_rooms();
    if in_rooms > 0 {
        properties.insert(format!("resource_room_{key}"), in_rooms.into());
    }
    if let Some(reason) = &zp.reason {
        properties.insert(
            format!("unplaced_reason_{key}_migrant"),
            reason.to_string().into(),
        );
    }
    if let Some(barrier) = barrier {
        properties.insert(format!("barrier_{key}_migrant"), barrier.clone().into());
    }
}

/// What a zone's feature adds to the properties read with it, in the order
/// a map would take them: a key already read keeps its place with the new
/// value (or, set to `None`, is left out), a new one comes after those
/// read. Kept apart from the properties read, so that they are neither
/// copied nor hashed again for each of a province's zones.
#[derive(Default)]
struct Added(Vec<(String, Option<Value>)>);

impl Added {
    fn insert(&mut self, key: String, value: Value) {
        self.set(key, Some(value));
    }

    fn remove(&mut self, key: String) {
        self.set(key, None);
    }

    fn set(&mut self, key: String, value: Option<Value>) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key, value)),
        }
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.0.iter().position(|(k, _)| k == key)
    }
}

/// A zone's feature: `feature_json` of its geometry and its properties
/// with `added` set on them.
fn zone_feature_json(geometry: GeometryValue, read: &Map<String, Value>, added: &Added) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(br#"{"type":"Feature","geometry":"#);
    serde_json::to_writer(&mut out, &Geometry::new(geometry)).expect("a geometry serializes");
    out.extend_from_slice(br#","properties":{"#);
    let mut first = true;
    let mut entry = |out: &mut Vec<u8>, key: &str, value: &Value| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, key).expect("a key serializes");
        out.push(b':');
        serde_json::to_writer(&mut *out, value).expect("a value serializes");
    };
    let mut replaced = vec![false; added.0.len()];
    for (key, value) in read {
        match added.position(key) {
            Some(i) => {
                replaced[i] = true;
                if let Some(value) = &added.0[i].1 {
                    entry(&mut out, key, value);
                }
            }
            None => entry(&mut out, key, value),
        }
    }
    for ((key, value), replaced) in added.0.iter().zip(replaced) {
        if let (Some(value), false) = (value, replaced) {
            entry(&mut out, key, value);
        }
    }
    out.extend_from_slice(b"}}");
    out
}

/// Kilometres with metre precision, or null.
pub fn km(metres: Option<i64>) -> Value {
    metres.map_or(Value::Null, |m| {
        serde_json::Number::from_f64(m as f64 / 1000.0).map_or(Value::Null, Value::Number)
    })
}

pub fn shape_geometry(shape: &Shape) -> GeometryValue {
    match shape {
        Shape::Point(p) => GeometryValue::from(p),
        Shape::Area(mp) if mp.0.len() == 1 => GeometryValue::from(&mp.0[0]),
        Shape::Area(mp) => GeometryValue::from(mp),
    }
}

pub fn feature_json(geometry: GeometryValue, properties: Map<String, Value>) -> String {
    let feature = Feature {
        bbox: None,
        geometry: Some(Geometry::new(geometry)),
        id: None,
        properties: Some(properties),
        foreign_members: None,
    };
    serde_json::to_string(&feature).expect("a feature always serializes")
}

/// Zones made at a time when writing zones.geojson.
const WRITE_CHUNK: usize = 16_384;

/// A FeatureCollection with one feature per line, so that plans diff well.
pub fn write_collection(w: &mut dyn Write, features: &[String]) -> std::io::Result<()> {
    let mut out = Collection::start(w)?;
    for f in features {
        out.feature(f.as_bytes())?;
    }
    out.finish()
}

/// A FeatureCollection being written, a feature at a time.
struct Collection<'w> {
    w: &'w mut dyn Write,
    first: bool,
}

impl<'w> Collection<'w> {
    fn start(w: &'w mut dyn Write) -> std::io::Result<Self> {
        w.write_all(b"{\"type\":\"FeatureCollection\",\"features\":[\n")?;
        Ok(Collection { w, first: true })
    }

    fn feature(&mut self, json: &[u8]) -> std::io::Result<()> {
        if !self.first {
            self.w.write_all(b",\n")?;
        }
        self.first = false;
        self.w.write_all(json)
    }

    fn finish(self) -> std::io::Result<()> {
        self.w.write_all(b"\n]}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collections_are_json_with_one_feature_a_line() {
        for n in [0, 1, 3] {
            let features: Vec<String> = (0..n).map(|i| format!("{{\"n\":{i}}}")).collect();
            let mut out = Vec::new();
            write_collection(&mut out, &features).unwrap();
            let text = String::from_utf8(out).unwrap();
            let json: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(json["features"].as_array().unwrap().len(), n);
            assert_eq!(text.lines().count(), n.max(1) + 2, "{text}");
        }
    }

    /// The properties come out as a map would hold them after the same
    /// inserts and removals: a key read keeps its place, a removed one is
    /// left out, a new one comes after, set twice it keeps its first place.
    #[test]
    fn added_properties_land_where_a_map_puts_them() {
        let read: Map<String, Value> =
            serde_json::from_str(r#"{"a":1,"current_primary":"X","b":"中","c":null}"#).unwrap();
        let mut added = Added::default();
        let mut map = read.clone();
        for (key, value) in [
            ("z", Some(1)),
            ("a", Some(5)),
            ("current_primary", None),
            ("y", Some(2)),
            ("z", Some(3)),
            ("q", None),
        ] {
            match value {
                Some(v) => {
                    added.insert(key.into(), v.into());
                    map.insert(key.into(), v.into());
                }
                None => {
                    added.remove(key.into());
                    map.shift_remove(key);
                }
            }
        }
        let geometry = GeometryValue::new_point([1.5, -2.25]);
        let ours = zone_feature_json(geometry.clone(), &read, &added);
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            feature_json(geometry, map)
        );
        let origin = GeometryValue::new_point([0.0, 0.0]);
        let empty = zone_feature_json(origin.clone(), &Map::new(), &Added::default());
        assert_eq!(
            String::from_utf8(empty).unwrap(),
            feature_json(origin, Map::new())
        );
    }
}
