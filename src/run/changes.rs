//! What a scenario changes in its maps: schools opened, closed or resized,
//! new housing. Planners ask "what if we open a school here, close that one,
//! or 3,000 flats are built there?"; a scenario answers with the base maps
//! and a list of changes, applied in order.
//!
//! # Order
//!
//! A chain of scenarios (`extends`) applies its files base first. Within one
//! file the tables apply in this order, each in the order written:
//! `[[add_school]]`, `[[change_school]]`, `[[new_housing]]`,
//! `[[close_school]]`: schools open before any closes, and growth factors
//! apply before new zones are added, so a new compound's children are
//! never multiplied twice.
//!
//! # New housing
//!
//! `[[new_housing]]` either adds the zones of a file (`zones_file`, any
//! format the zones file may have, read as it is: its `crs`, `[columns]`
//! and `county_field`; `replaces` lists zones whose land they take over, such
//! as a village redeveloped into compounds, which are removed with the
//! children living there), or multiplies the children of existing zones by
//! `factor` (one stage with `stage`), picked by ids (`zones`), a circle
//! (`centre` and `radius_km`, by zone centroid; along the roads where the
//! run has them) or a `polygon`, whose positions are in the zones file's
//! coordinate system. Counts are
//! multiplied so that the total is the rounded product and small zones
//! keep their share (largest remainders); birth records grow with the
//! primary children. New zones and schools that name no county get the
//! county of the nearest zone.
//!
//! # Closures: 先建后撤 (build before closing)
//!
//! A public school closes only once its replacement is open: for every
//! stage it takes a catchment for, a school opened by `[[add_school]]` in
//! the same scenario or one it extends (applied before the closure), public,
//! teaching that stage and standing in the same county, must still be open.
//! `replaced_by` names the replacements; without it the nearest qualifying
//! opened school of each stage is taken. The closing school's pupils of the
//! grades that stay move to the replacement of their stage, and the zones
//! whose published catchment (`current_*`) was the closing school get the
//! replacement as today's school, so stability is weighed against the
//! catchment that families will actually be moved from. A private school
//! has no catchment and closes without a replacement.
//!
//! A school may also close into existing schools (Santa Rosa closed Steele
//! Lane into its neighbours): when `replaced_by` names a school this chain
//! did not open, every named school teaching the stage in the county takes
//! a share of the catchment, and the closure is allowed only when their
//! seats (after the closing school's staying pupils, shared among them by
//! their seats) hold the entry children of today's catchments of the
//! closing school and of theirs; otherwise it is refused with the seats
//! short. Today's catchment zones go to the nearest receiver (by road
//! where the run has roads).
//!
//! # Errors
//!
//! Every error names the scenario file, the change (`close_school[0]`, with
//! its id) and the field, because the person who must fix it has that file
//! open.

use std::fmt;
use std::path::{Path, PathBuf};

use geo::{Contains, LineString, Point, Polygon};
use serde::Deserialize;
use serde_json::Value;

use crate::io::{FileSettings, InputError, ReadSettings, read_zones_with};
use crate::model::grades;
use crate::model::{
    MAX_REGION_CHILDREN, MAX_ZONE_CHILDREN, Region, School, SchoolKind, Sector, Stage,
};
use crate::policy::Policy;
use crate::spatial::{Crs, haversine_m};

use super::change_notes::{ChangeNote, Figure, GrowthArea, Handover, SchoolFigures, StageGrowth};

/// Where a change was written, so that an error points at the table to fix.
#[derive(Clone, Debug, PartialEq)]
pub struct Origin {
    /// The scenario file (as given, relative to where the command ran).
    pub file: PathBuf,
    /// The table: `add_school`, `change_school`, `new_housing`, `close_school`.
    pub table: &'static str,
    /// Position in that file's array of tables, from 0.
    pub index: usize,
    /// The school the change is about, where it names one.
    pub id: Option<String>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}: {}[{}]", self.file.display(), self.table, self.index)?;
        if let Some(id) = &self.id {
            write!(f, " (id \"{id}\")")?;
        }
        Ok(())
    }
}

/// A change that cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("{origin}: field `{field}` is {found}; expected {expected}")]
    Field {
        origin: Box<Origin>,
        field: String,
        found: String,
        expected: String,
    },
    #[error("{origin}: field `{field}`: {message}")]
    Refused {
        origin: Box<Origin>,
        field: String,
        message: String,
    },
    #[error("{origin}: field `zones_file`: {source}")]
    Zones {
        origin: Box<Origin>,
        source: Box<InputError>,
    },
}

fn field_error(
    origin: &Origin,
    field: &str,
    found: impl Into<String>,
    expected: &str,
) -> ChangeError {
    ChangeError::Field {
        origin: Box::new(origin.clone()),
        field: field.to_string(),
        found: found.into(),
        expected: expected.to_string(),
    }
}

/// `[[add_school]]` as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AddSchoolTable {
    pub id: String,
    pub name: Option<String>,
    /// `[longitude, latitude]` of the gate (WGS84).
    pub location: Vec<f64>,
    pub stage: String,
    pub sector: Option<String>,
    pub county: Option<String>,
    pub classes_primary: Option<u32>,
    pub classes_junior: Option<u32>,
    pub enrolled_primary: Option<u32>,
    pub enrolled_junior: Option<u32>,
    pub capacity_primary: Option<u32>,
    pub capacity_junior: Option<u32>,
    pub enrolled_by_grade: Option<Vec<u32>>,
}

/// `[[change_school]]` as written: every field but `id` optional, the
/// given ones replace the school's.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeSchoolTable {
    pub id: String,
    pub name: Option<String>,
    pub classes_primary: Option<u32>,
    pub classes_junior: Option<u32>,
    pub enrolled_primary: Option<u32>,
    pub enrolled_junior: Option<u32>,
    pub capacity_primary: Option<u32>,
    pub capacity_junior: Option<u32>,
    pub enrolled_by_grade: Option<Vec<u32>>,
}

/// `[[new_housing]]` as written: either new zones from a file, or a growth
/// factor on the zones that one selector picks.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewHousingTable {
    pub zones_file: Option<PathBuf>,
    /// Zones whose land the new zones take over (a village redeveloped):
    /// they are removed, with the children living there today.
    pub replaces: Option<Vec<String>>,
    pub factor: Option<f64>,
    /// `primary` or `junior`: grow only that stage's children (default both).
    pub stage: Option<String>,
    pub zones: Option<Vec<String>>,
    pub centre: Option<Vec<f64>>,
    pub radius_km: Option<f64>,
    /// A ring of `[longitude, latitude]` positions; zones whose centroid
    /// lies inside grow.
    pub polygon: Option<Vec<Vec<f64>>>,
}

/// One id or several.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

/// `[[close_school]]` as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseSchoolTable {
    pub id: String,
    pub replaced_by: Option<OneOrMany>,
}

/// The change tables of one scenario file.
#[derive(Clone, Debug, Default)]
pub struct Tables {
    pub add_school: Vec<AddSchoolTable>,
    pub change_school: Vec<ChangeSchoolTable>,
    pub new_housing: Vec<NewHousingTable>,
    pub close_school: Vec<CloseSchoolTable>,
}

/// A change, checked on its own (what needs the region is checked when it
/// is applied).
#[derive(Clone, Debug)]
pub struct Change {
    pub origin: Origin,
    pub kind: ChangeKind,
}

#[derive(Clone, Debug)]
pub enum ChangeKind {
    /// A new school; its county is taken from the nearest zone when not given.
    AddSchool(Box<School>),
    ChangeSchool(SchoolEdit),
    /// New zones read from this GeoJSON file (path resolved), replacing
    /// the zones listed (ids).
    NewZones(PathBuf, Vec<String>),
    Growth(Growth),
    CloseSchool(Closure),
}

/// The fields a `[[change_school]]` replaces.
#[derive(Clone, Debug, Default)]
pub struct SchoolEdit {
    pub id: String,
    pub name: Option<String>,
    pub classes: [Option<u32>; 2],
    pub enrolled: [Option<u32>; 2],
    pub capacity: [Option<u32>; 2],
    pub enrolled_by_grade: Option<Vec<u32>>,
}

/// Which zones a growth factor applies to.
#[derive(Clone, Debug)]
pub enum Area {
    Zones(Vec<String>),
    Circle { centre: Point<f64>, radius_km: f64 },
    Polygon(Polygon<f64>),
}

/// Children multiplied by `factor` in the zones of `area`.
#[derive(Clone, Debug)]
pub struct Growth {
    pub factor: f64,
    pub stages: Vec<Stage>,
    pub area: Area,
}

impl Growth {
    /// The growth with its `centre` or `polygon` given in `crs` (the zones
    /// file's) brought to WGS84, where the zones are.
    fn in_wgs84(&self, crs: Crs) -> Growth {
        use geo::MapCoords;
        let point = |p: Point<f64>| {
            let (x, y) = crs.to_wgs84(p.x(), p.y());
            Point::new(x, y)
        };
        let area = match &self.area {
            Area::Zones(ids) => Area::Zones(ids.clone()),
            Area::Circle { centre, radius_km } => Area::Circle {
                centre: point(*centre),
                radius_km: *radius_km,
            },
            Area::Polygon(p) => Area::Polygon(p.map_coords(|c| point(c.into()).into())),
        };
        Growth {
            area,
            ..self.clone()
        }
    }
}

#[derive(Clone, Debug)]
pub struct Closure {
    pub id: String,
    pub replaced_by: Vec<String>,
}

fn position(origin: &Origin, field: &str, p: &[f64]) -> Result<Point<f64>, ChangeError> {
    let ok = p.len() == 2
        && p.iter().all(|x| x.is_finite())
        && (-180.0..=180.0).contains(&p[0])
        && (-90.0..=90.0).contains(&p[1]);
    if ok {
        Ok(Point::new(p[0], p[1]))
    } else {
        Err(field_error(
            origin,
            field,
            format!("{p:?}"),
            "[longitude, latitude] in WGS84 degrees",
        ))
    }
}

fn kind_of(origin: &Origin, stage: &str) -> Result<SchoolKind, ChangeError> {
    match stage {
        "primary" => Ok(SchoolKind::Primary),
        "junior" => Ok(SchoolKind::Junior),
        "nine_year" => Ok(SchoolKind::NineYear),
        other => Err(field_error(
            origin,
            "stage",
            format!("\"{other}\""),
            "\"primary\", \"junior\" or \"nine_year\"",
        )),
    }
}

/// Per-stage fields given for a stage the school does not teach are an
/// error, as in schools.geojson: a primary school has no junior classes.
fn check_stage_fields(
    origin: &Origin,
    kind: SchoolKind,
    fields: [(&str, [Option<u32>; 2]); 3],
) -> Result<(), ChangeError> {
    for (prefix, values) in fields {
        for stage in Stage::ALL {
            if values[stage.index()].is_some() && !kind.teaches(stage) {
                return Err(field_error(
                    origin,
                    &format!("{prefix}_{}", stage.key()),
                    "given",
                    &format!(
                        "no {} fields for a school whose stage is \"{}\"",
                        stage.key(),
                        kind.key()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Checks one file's tables and puts them in application order.
pub fn parse(file: &Path, base: &Path, tables: Tables) -> Result<Vec<Change>, ChangeError> {
    let origin = |table: &'static str, index: usize, id: Option<&str>| Origin {
        file: file.to_path_buf(),
        table,
        index,
        id: id.map(String::from),
    };
    let mut out = Vec::new();
    for (i, t) in tables.add_school.into_iter().enumerate() {
        let o = origin("add_school", i, Some(&t.id));
        out.push(Change {
            kind: ChangeKind::AddSchool(Box::new(new_school(&o, t)?)),
            origin: o,
        });
    }
    for (i, t) in tables.change_school.into_iter().enumerate() {
        let o = origin("change_school", i, Some(&t.id));
        let edit = SchoolEdit {
            id: t.id,
            name: t.name,
            classes: [t.classes_primary, t.classes_junior],
            enrolled: [t.enrolled_primary, t.enrolled_junior],
            capacity: [t.capacity_primary, t.capacity_junior],
            enrolled_by_grade: t.enrolled_by_grade,
        };
        let changes_something = edit.name.is_some()
            || edit.enrolled_by_grade.is_some()
            || [edit.classes, edit.enrolled, edit.capacity]
                .iter()
                .any(|v| v.iter().any(Option::is_some));
        if !changes_something {
            return Err(field_error(
                &o,
                "classes_primary",
                "missing (the table changes nothing)",
                "at least one of name, classes_*, enrolled_*, capacity_*, enrolled_by_grade",
            ));
        }
        out.push(Change {
            kind: ChangeKind::ChangeSchool(edit),
            origin: o,
        });
    }
    for (i, t) in tables.new_housing.into_iter().enumerate() {
        let o = origin("new_housing", i, None);
        out.push(Change {
            kind: new_housing(&o, base, t)?,
            origin: o,
        });
    }
    for (i, t) in tables.close_school.into_iter().enumerate() {
        let o = origin("close_school", i, Some(&t.id));
        let replaced_by = match t.replaced_by {
            None => Vec::new(),
            Some(OneOrMany::One(s)) => vec![s],
            Some(OneOrMany::Many(v)) => v,
        };
        out.push(Change {
            kind: ChangeKind::CloseSchool(Closure {
                id: t.id,
                replaced_by,
            }),
            origin: o,
        });
    }
    Ok(out)
}

fn new_school(o: &Origin, t: AddSchoolTable) -> Result<School, ChangeError> {
    if t.id.trim().is_empty() {
        return Err(field_error(o, "id", "\"\"", "a unique, non-empty id"));
    }
    let location = position(o, "location", &t.location)?;
    let kind = kind_of(o, &t.stage)?;
    let sector = match t.sector.as_deref() {
        None | Some("public") => Sector::Public,
        Some("private") => Sector::Private,
        Some(other) => {
            return Err(field_error(
                o,
                "sector",
                format!("\"{other}\""),
                "\"public\" (the default) or \"private\"",
            ));
        }
    };
    let classes = [t.classes_primary, t.classes_junior];
    let enrolled = [t.enrolled_primary, t.enrolled_junior];
    let capacity = [t.capacity_primary, t.capacity_junior];
    check_stage_fields(
        o,
        kind,
        [
            ("classes", classes),
            ("enrolled", enrolled),
            ("capacity", capacity),
        ],
    )?;
    let mut properties = serde_json::Map::new();
    properties.insert("id".into(), t.id.clone().into());
    if let Some(g) = &t.enrolled_by_grade {
        properties.insert(grades::BY_GRADE.into(), g.clone().into());
    }
    let mut school = School {
        name: t.name.unwrap_or_else(|| t.id.clone()),
        id: t.id,
        location,
        kind,
        sector,
        county: t.county,
        classes,
        enrolled: enrolled.map(|e| e.unwrap_or(0)),
        capacity,
        properties,
    };
    settle_grades(o, &mut school)?;
    Ok(school)
}

/// Checks `enrolled_by_grade` against the school and, where the school
/// gave no `enrolled_*`, takes the staying pupils from it.
fn settle_grades(o: &Origin, school: &mut School) -> Result<(), ChangeError> {
    let g = grades::of_school(school).map_err(|message| ChangeError::Refused {
        origin: Box::new(o.clone()),
        field: grades::BY_GRADE.into(),
        message,
    })?;
    if grades::read_by_grade(school).ok().flatten().is_some() {
        for stage in Stage::ALL {
            if school.kind.teaches(stage) {
                school.enrolled[stage.index()] = g[stage.index()].staying_total();
            }
        }
    }
    Ok(())
}

fn new_housing(o: &Origin, base: &Path, t: NewHousingTable) -> Result<ChangeKind, ChangeError> {
    const SELECTORS: &str = "exactly one of `zones` (ids), `centre` with `radius_km`, or `polygon`";
    match (&t.zones_file, t.factor) {
        (Some(_), Some(_)) => {
            return Err(field_error(
                o,
                "factor",
                "given together with zones_file",
                "either `zones_file` (new zones) or `factor` (growth on existing zones)",
            ));
        }
        (None, None) => {
            return Err(field_error(
                o,
                "zones_file",
                "missing",
                "either `zones_file` (new zones) or `factor` (growth on existing zones)",
            ));
        }
        _ => {}
    }
    if let Some(file) = &t.zones_file {
        let extra = [
            ("stage", t.stage.is_some()),
            ("zones", t.zones.is_some()),
            ("centre", t.centre.is_some()),
            ("radius_km", t.radius_km.is_some()),
            ("polygon", t.polygon.is_some()),
        ];
        if let Some((field, _)) = extra.iter().find(|(_, given)| *given) {
            return Err(field_error(
                o,
                field,
                "given with zones_file",
                "no selector: new zones come with their own children",
            ));
        }
        let full = base.join(file);
        if !full.is_file() {
            return Err(field_error(
                o,
                "zones_file",
                format!("{}, which does not exist", full.display()),
                "a GeoJSON file of zones, relative to the scenario file",
            ));
        }
        return Ok(ChangeKind::NewZones(full, t.replaces.unwrap_or_default()));
    }
    if t.replaces.is_some() {
        return Err(field_error(
            o,
            "replaces",
            "given with factor",
            "`replaces` only with `zones_file`: the new zones take over the land of the zones listed",
        ));
    }
    let factor = t.factor.unwrap_or(1.0);
    if !(factor.is_finite() && factor >= 0.0) {
        return Err(field_error(
            o,
            "factor",
            factor.to_string(),
            "a number >= 0 that multiplies the children (1.5: half as many again)",
        ));
    }
    let stages = match t.stage.as_deref() {
        None => Stage::ALL.to_vec(),
        Some("primary") => vec![Stage::Primary],
        Some("junior") => vec![Stage::Junior],
        Some(other) => {
            return Err(field_error(
                o,
                "stage",
                format!("\"{other}\""),
                "\"primary\" or \"junior\" (or no value for both)",
            ));
        }
    };
    let given = [t.zones.is_some(), t.centre.is_some(), t.polygon.is_some()];
    if given.iter().filter(|&&g| g).count() != 1 {
        return Err(field_error(
            o,
            "zones",
            format!("{} selectors given", given.iter().filter(|&&g| g).count()),
            SELECTORS,
        ));
    }
    if t.radius_km.is_some() != t.centre.is_some() {
        let field = if t.centre.is_some() {
            "radius_km"
        } else {
            "centre"
        };
        return Err(field_error(
            o,
            field,
            "missing",
            "`centre` = [longitude, latitude] together with `radius_km`",
        ));
    }
    let area = if let Some(ids) = t.zones {
        if ids.is_empty() {
            return Err(field_error(o, "zones", "[]", "at least one zone id"));
        }
        Area::Zones(ids)
    } else if let Some(c) = &t.centre {
        let centre = position(o, "centre", c)?;
        let radius_km = t.radius_km.unwrap_or(0.0);
        if !(radius_km.is_finite() && radius_km > 0.0) {
            return Err(field_error(
                o,
                "radius_km",
                radius_km.to_string(),
                "a positive distance in km",
            ));
        }
        Area::Circle { centre, radius_km }
    } else {
        let ring = t.polygon.unwrap_or_default();
        let mut coords = Vec::with_capacity(ring.len());
        for p in &ring {
            coords.push(position(o, "polygon", p)?.0);
        }
        if coords.len() < 3 {
            return Err(field_error(
                o,
                "polygon",
                format!("{} positions", coords.len()),
                "a ring of at least 3 [longitude, latitude] positions",
            ));
        }
        Area::Polygon(Polygon::new(LineString::from(coords), vec![]))
    };
    Ok(ChangeKind::Growth(Growth {
        factor,
        stages,
        area,
    }))
}

/// The county of the zone nearest to a point: where a new school or zone
/// that names no county belongs (children never cross a county line, so a
/// school without the county of the zones around it would serve nobody).
pub fn county_near(region: &Region, at: Point<f64>) -> Option<String> {
    region
        .zones
        .iter()
        .map(|z| (haversine_m(z.centroid, at), z))
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .and_then(|(_, z)| z.county.clone())
}

fn school_index(
    region: &Region,
    origin: &Origin,
    field: &str,
    id: &str,
) -> Result<usize, ChangeError> {
    region
        .schools
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| {
            field_error(
                origin,
                field,
                format!("\"{id}\", which is not a school of the region (after the changes before this one)"),
                "the id of a school in the schools file or one opened by an [[add_school]] before it",
            )
        })
}

/// Splits `total` into whole numbers in proportion to `weights`: floors
/// first, then one each to the largest remainders (ties to the earlier
/// entry), so that the parts add up exactly and the split is deterministic.
pub fn apportion(weights: &[f64], total: u64) -> Vec<u64> {
    let sum: f64 = weights.iter().sum();
    if weights.is_empty() || sum <= 0.0 {
        let mut out = vec![0; weights.len()];
        if let Some(first) = out.first_mut() {
            *first = total;
        }
        return out;
    }
    let exact: Vec<f64> = weights.iter().map(|w| w / sum * total as f64).collect();
    let mut out: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let given: u64 = out.iter().sum();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        let (ra, rb) = (exact[a] - exact[a].floor(), exact[b] - exact[b].floor());
        rb.total_cmp(&ra).then(a.cmp(&b))
    });
    for &i in order.iter().take(total.saturating_sub(given) as usize) {
        out[i] += 1;
    }
    out
}

/// Multiplies whole counts by `factor` so that the total is the rounded
/// product and each count gets its share (largest remainders): growth of
/// 1.3 on many zones of one or two children must not round away.
/// Counts stay `u64` here: the caller refuses a zone grown beyond
/// [`MAX_ZONE_CHILDREN`] before anything narrows them.
fn grow_counts(counts: &[u32], factor: f64) -> Vec<u64> {
    let total: f64 = counts.iter().map(|&c| c as f64).sum::<f64>() * factor;
    // Beyond this some zone is over the limit whatever the shares, and the
    // run is refused: capping keeps the arithmetic below far from overflow.
    let cap = (counts.len() as f64 + 1.0) * f64::from(MAX_ZONE_CHILDREN);
    let total = total.min(cap);
    apportion(
        &counts.iter().map(|&c| c as f64).collect::<Vec<_>>(),
        total.round() as u64,
    )
}

/// Scales a zone's birth records (`births` array, `births_YYYY`) with its
/// primary children: new housing brings its future entrants too.
fn grow_births(properties: &mut serde_json::Map<String, Value>, factor: f64) {
    let scale = |v: &Value| -> Value {
        v.as_f64()
            .map(|x| Value::from((x * factor * 100.0).round() / 100.0))
            .unwrap_or_else(|| v.clone())
    };
    for (key, value) in properties.iter_mut() {
        if key == "births" {
            if let Value::Array(items) = value {
                for item in items.iter_mut() {
                    *item = scale(item);
                }
            }
        } else if key
            .strip_prefix("births_")
            .is_some_and(|y| y.len() == 4 && y.bytes().all(|b| b.is_ascii_digit()))
        {
            *value = scale(value);
        }
    }
}

/// Applies the changes in order and returns one note per change saying
/// what it did, for the reports. `settings`: how the maps are read. New
/// housing is read like the zones file (its `crs`, `[columns]`,
/// `county_field`), files and the positions of its tables alike, and a new
/// school's `location` is in the schools file's `crs`: the bureau picks
/// them on the same map as the file they join.
pub fn apply(
    region: &mut Region,
    changes: &[Change],
    policy: &Policy,
    settings: &ReadSettings,
) -> Result<Vec<ChangeNote>, ChangeError> {
    let zones = &settings.zones;
    let mut opened: Vec<String> = Vec::new();
    let mut log = Vec::with_capacity(changes.len());
    for change in changes {
        let o = &change.origin;
        let line = match &change.kind {
            ChangeKind::AddSchool(school) => {
                let mut school = (**school).clone();
                let (x, y) = settings
                    .schools
                    .crs
                    .to_wgs84(school.location.x(), school.location.y());
                school.location = Point::new(x, y);
                if region.schools.iter().any(|s| s.id == school.id) {
                    return Err(field_error(
                        o,
                        "id",
                        format!("\"{}\", which is already a school of the region", school.id),
                        "a new, unique school id",
                    ));
                }
                if school.county.is_none() {
                    school.county = county_near(region, school.location);
                }
                let line = ChangeNote::Opened {
                    id: school.id.clone(),
                    name: school.name.clone(),
                    kind: school.kind,
                    sector: school.sector,
                    figures: figures_of(&school),
                };
                opened.push(school.id.clone());
                region.schools.push(school);
                line
            }
            ChangeKind::ChangeSchool(edit) => {
                let s = school_index(region, o, "id", &edit.id)?;
                let school = &mut region.schools[s];
                check_stage_fields(
                    o,
                    school.kind,
                    [
                        ("classes", edit.classes),
                        ("enrolled", edit.enrolled),
                        ("capacity", edit.capacity),
                    ],
                )?;
                let before = figures_of(school);
                if let Some(n) = &edit.name {
                    school.name = n.clone();
                }
                for stage in Stage::ALL {
                    let i = stage.index();
                    if let Some(c) = edit.classes[i] {
                        school.classes[i] = Some(c);
                    }
                    if let Some(c) = edit.capacity[i] {
                        school.capacity[i] = Some(c);
                    }
                    if let Some(e) = edit.enrolled[i] {
                        school.enrolled[i] = e;
                    }
                }
                if let Some(g) = &edit.enrolled_by_grade {
                    school
                        .properties
                        .insert(grades::BY_GRADE.into(), g.clone().into());
                    for stage in Stage::ALL {
                        if edit.enrolled[stage.index()].is_none() {
                            school.enrolled[stage.index()] = 0;
                        }
                    }
                }
                settle_grades(o, school)?;
                ChangeNote::Changed {
                    id: school.id.clone(),
                    name: school.name.clone(),
                    before,
                    after: figures_of(school),
                }
            }
            ChangeKind::NewZones(path, replaces) => new_zones(region, o, path, replaces, zones)?,
            ChangeKind::Growth(g) => grow(region, o, &g.in_wgs84(zones.crs))?,
            ChangeKind::CloseSchool(c) => close(region, o, c, &opened, policy)?,
        };
        if let Some((stage, total)) = region.too_many_children() {
            let field = match &change.kind {
                ChangeKind::NewZones(..) => "zones_file",
                _ => "factor",
            };
            return Err(field_error(
                o,
                field,
                format!(
                    "a change after which the region holds {total} {} children",
                    stage.key()
                ),
                &format!("at most {MAX_REGION_CHILDREN} children of a stage in the region"),
            ));
        }
        log.push(line);
    }
    Ok(log)
}

fn new_zones(
    region: &mut Region,
    o: &Origin,
    path: &Path,
    replaces: &[String],
    settings: &FileSettings,
) -> Result<ChangeNote, ChangeError> {
    let zones =
        read_zones_with(path, &region.schools, settings).map_err(|source| ChangeError::Zones {
            origin: Box::new(o.clone()),
            source: Box::new(source),
        })?;
    let mut gone = Vec::with_capacity(replaces.len());
    for id in replaces {
        let Some(z) = region.zones.iter().position(|z| &z.id == id) else {
            return Err(field_error(
                o,
                "replaces",
                format!("[… \"{id}\" …], and \"{id}\" is not a zone of the region"),
                "ids of zones whose land the new zones take over",
            ));
        };
        gone.push(z);
    }
    gone.sort_unstable();
    gone.dedup();
    let mut removed = [0u64; 2];
    let mut names = Vec::with_capacity(gone.len());
    for &z in gone.iter().rev() {
        let zone = region.zones.remove(z);
        for stage in Stage::ALL {
            removed[stage.index()] += zone.cohort(stage).total() as u64;
        }
        names.push(format!("{} {}", zone.id, zone.name));
    }
    names.reverse();
    let mut children = [0u64; 2];
    let count = zones.len();
    for (i, mut zone) in zones.into_iter().enumerate() {
        if region.zones.iter().any(|z| z.id == zone.id) {
            return Err(field_error(
                o,
                "zones_file",
                format!(
                    "{} with features[{i}] (id \"{}\"), which is already a zone of the region",
                    path.display(),
                    zone.id
                ),
                "new zones with ids not used by the zones file",
            ));
        }
        if zone.county.is_none() {
            zone.county = county_near(region, zone.centroid);
        }
        for stage in Stage::ALL {
            children[stage.index()] += zone.cohort(stage).total() as u64;
        }
        region.zones.push(zone);
    }
    Ok(ChangeNote::NewZones {
        count,
        file: path.to_path_buf(),
        children,
        replaced: names,
        removed,
    })
}

/// The classes, seats and staying pupils a school's line gives.
fn figures_of(school: &School) -> SchoolFigures {
    let mut parts = Vec::new();
    for stage in Stage::ALL {
        if let Some(c) = school.classes[stage.index()] {
            parts.push((Figure::Classes, stage, c));
        }
        if let Some(c) = school.capacity[stage.index()] {
            parts.push((Figure::Capacity, stage, c));
        }
        if school.kind.teaches(stage) && school.enrolled[stage.index()] > 0 {
            parts.push((Figure::Enrolled, stage, school.enrolled[stage.index()]));
        }
    }
    SchoolFigures(parts)
}

fn grow(region: &mut Region, o: &Origin, g: &Growth) -> Result<ChangeNote, ChangeError> {
    let selected: Vec<usize> = match &g.area {
        Area::Zones(ids) => {
            let mut out = Vec::with_capacity(ids.len());
            for id in ids {
                let Some(z) = region.zones.iter().position(|z| &z.id == id) else {
                    return Err(field_error(
                        o,
                        "zones",
                        format!("[… \"{id}\" …], and \"{id}\" is not a zone of the region"),
                        "ids of zones in the zones file or added by [[new_housing]] before it",
                    ));
                };
                if !out.contains(&z) {
                    out.push(z);
                }
            }
            out
        }
        // Km as people travel them: along the roads where the region has
        // them (never shorter than the straight line, checked first).
        Area::Circle { centre, radius_km } => (0..region.zones.len())
            .filter(|&z| {
                let limit = radius_km * 1000.0;
                let from = region.zones[z].centroid;
                haversine_m(from, *centre) <= limit
                    && (region.distances.road().is_none()
                        || region.distances.length(from, *centre) as f64 <= limit)
            })
            .collect(),
        Area::Polygon(p) => (0..region.zones.len())
            .filter(|&z| p.contains(&region.zones[z].centroid))
            .collect(),
    };
    if selected.is_empty() {
        let field = match g.area {
            Area::Zones(_) => "zones",
            Area::Circle { .. } => "radius_km",
            Area::Polygon(_) => "polygon",
        };
        return Err(field_error(
            o,
            field,
            "an area holding no zone centroid",
            "an area that covers at least one zone",
        ));
    }
    let mut notes = Vec::new();
    for &stage in &g.stages {
        let i = stage.index();
        let local: Vec<u32> = selected
            .iter()
            .map(|&z| region.zones[z].children[i].local)
            .collect();
        let migrant: Vec<u32> = selected
            .iter()
            .map(|&z| region.zones[z].children[i].migrant)
            .collect();
        let before: u64 = local.iter().chain(&migrant).map(|&x| x as u64).sum();
        let (local, migrant) = (
            grow_counts(&local, g.factor),
            grow_counts(&migrant, g.factor),
        );
        for (k, &z) in selected.iter().enumerate() {
            if local[k] + migrant[k] > u64::from(MAX_ZONE_CHILDREN) {
                return Err(field_error(
                    o,
                    "factor",
                    format!(
                        "{}, which gives zone \"{}\" more than {MAX_ZONE_CHILDREN} {} children",
                        g.factor,
                        region.zones[z].id,
                        stage.key()
                    ),
                    &format!(
                        "a factor that leaves every zone at most {MAX_ZONE_CHILDREN} children of a stage (1.5: half as many again)"
                    ),
                ));
            }
            // Both fit in u32: each is at most their sum, checked above.
            region.zones[z].children[i].local = local[k] as u32;
            region.zones[z].children[i].migrant = migrant[k] as u32;
        }
        let after: u64 = local.iter().chain(&migrant).sum();
        notes.push(StageGrowth {
            stage,
            before,
            after,
        });
    }
    if g.stages.contains(&Stage::Primary) {
        for &z in &selected {
            grow_births(&mut region.zones[z].properties, g.factor);
        }
    }
    let area = match &g.area {
        Area::Zones(ids) => GrowthArea::Listed(ids.len()),
        Area::Circle { centre, radius_km } => GrowthArea::Circle {
            zones: selected.len(),
            radius_km: *radius_km,
            centre: [centre.x(), centre.y()],
        },
        Area::Polygon(_) => GrowthArea::Polygon(selected.len()),
    };
    Ok(ChangeNote::Growth {
        factor: g.factor,
        area,
        stages: notes,
    })
}

fn close(
    region: &mut Region,
    o: &Origin,
    c: &Closure,
    opened: &[String],
    policy: &Policy,
) -> Result<ChangeNote, ChangeError> {
    let s = school_index(region, o, "id", &c.id)?;
    let closing = region.schools[s].clone();
    let named: Vec<usize> = c
        .replaced_by
        .iter()
        .map(|id| {
            let r = school_index(region, o, "replaced_by", id)?;
            if r == s {
                return Err(field_error(
                    o,
                    "replaced_by",
                    format!("\"{id}\", the closing school itself"),
                    "a school opened by [[add_school]] or an existing school with the seats",
                ));
            }
            Ok(r)
        })
        .collect::<Result<_, _>>()?;
    let mut receivers: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for stage in Stage::ALL {
        if closing.takes_catchment(stage) {
            receivers[stage.index()] = receivers_of(region, o, c, &closing, stage, &named, opened)?;
        }
    }
    // Pupils of the staying grades move to their stage's receivers.
    let closing_grades = grades::of_school(&closing).map_err(|message| ChangeError::Refused {
        origin: Box::new(o.clone()),
        field: "id".into(),
        message: format!("the closing school's {}: {message}", grades::BY_GRADE),
    })?;
    let closing_by_grade = grades::read_by_grade(&closing).ok().flatten().is_some();
    let mut moved = Vec::new();
    for stage in Stage::ALL {
        let to = &receivers[stage.index()];
        if to.is_empty() {
            continue;
        }
        let into_existing = to.iter().any(|&r| !opened.contains(&region.schools[r].id));
        let weights: Vec<f64> = to
            .iter()
            .map(|&r| f64::from(policy.seats(&region.schools[r]).of(stage)))
            .collect();
        let shares = share_grades(&closing_grades[stage.index()], &weights);
        let pupils = apportion(&weights, closing.enrolled[stage.index()].into());
        for ((&r, share), &n) in to.iter().zip(&shares).zip(&pupils) {
            hand_over(
                &mut region.schools[r],
                o,
                stage,
                share,
                closing_by_grade,
                n as u32,
            )?;
        }
        // An existing school takes the catchment only with the seats for it.
        let seats = if into_existing {
            Some(check_receiving_seats(region, policy, o, s, stage, to)?)
        } else {
            None
        };
        moved.push(Handover {
            stage,
            pupils: closing.enrolled[stage.index()],
            to: to.iter().map(|&r| region.schools[r].id.clone()).collect(),
            seats,
        });
    }
    // Remove the school; indices above it shift down by one. Today's
    // catchment of the closing school goes to the nearest receiver.
    let nearest_receiver = |zone: &crate::model::Zone, stage: Stage| {
        receivers[stage.index()].iter().copied().min_by(|&a, &b| {
            let d = |r: usize| {
                region
                    .distances
                    .metres(zone.centroid, region.schools[r].location)
            };
            d(a).cmp(&d(b)).then(a.cmp(&b))
        })
    };
    let today: Vec<[Option<usize>; 2]> = region
        .zones
        .iter()
        .map(|zone| {
            Stage::ALL.map(|stage| match zone.current[stage.index()] {
                Some(x) if x == s => nearest_receiver(zone, stage),
                other => other,
            })
        })
        .collect();
    region.schools.remove(s);
    let shift = |i: usize| if i > s { i - 1 } else { i };
    for (zone, today) in region.zones.iter_mut().zip(today) {
        zone.current = today.map(|t| t.map(shift));
    }
    Ok(ChangeNote::Closed {
        id: closing.id,
        name: closing.name,
        handovers: moved,
    })
}

/// The schools that take a closing school's catchment of one stage: the
/// nearest school this chain opened when `replaced_by` names none or only
/// such schools (先建后撤), or every school it names that teaches the stage
/// in the county when it names an existing one (closing into neighbours).
fn receivers_of(
    region: &Region,
    o: &Origin,
    c: &Closure,
    closing: &School,
    stage: Stage,
    named: &[usize],
    opened: &[String],
) -> Result<Vec<usize>, ChangeError> {
    let qualifies = |r: &usize| {
        let x = &region.schools[*r];
        x.takes_catchment(stage) && x.county == closing.county
    };
    let is_opened = |r: usize| opened.contains(&region.schools[r].id);
    let named_here: Vec<usize> = named.iter().copied().filter(qualifies).collect();
    if named_here.iter().any(|&r| !is_opened(r)) {
        return Ok(named_here);
    }
    let pool: Vec<usize> = if named.is_empty() {
        opened
            .iter()
            .filter_map(|id| region.schools.iter().position(|x| &x.id == id))
            .filter(qualifies)
            .collect()
    } else {
        named_here
    };
    let nearest = pool.into_iter().min_by(|&a, &b| {
        let d = |r: usize| haversine_m(region.schools[r].location, closing.location);
        d(a).total_cmp(&d(b)).then(a.cmp(&b))
    });
    match nearest {
        Some(r) => Ok(vec![r]),
        None => {
            let county = closing
                .county
                .as_deref()
                .map_or(String::new(), |c| format!(" in county {c}"));
            let looked = if c.replaced_by.is_empty() {
                "no school opened by an [[add_school]] of this scenario or one it extends"
                    .to_string()
            } else {
                format!("none of {:?}", c.replaced_by)
            };
            Err(ChangeError::Refused {
                origin: Box::new(o.clone()),
                field: "replaced_by".into(),
                message: format!(
                    "closing \"{}\" ({}, a public {} school) is refused: 先建后撤 (build before closing) — a school closes only once its replacement is open, and {looked} is a public school teaching {}{county}; open the replacement with [[add_school]] first (in this scenario or one it extends), or name existing schools with the seats, in `replaced_by`",
                    closing.id,
                    closing.name,
                    closing.kind.key(),
                    stage.key()
                ),
            })
        }
    }
}

/// A share of the closing school's staying pupils of one stage per
/// receiver, grade by grade, in proportion to `weights` (largest
/// remainders: the shares add up to the whole in every grade).
fn share_grades(g: &grades::StageGrades, weights: &[f64]) -> Vec<grades::StageGrades> {
    let mut shares = vec![grades::StageGrades::default(); weights.len()];
    for &n in &g.staying {
        for (share, part) in shares.iter_mut().zip(apportion(weights, n.into())) {
            share.staying.push(part as u32);
        }
    }
    if let Some(top) = g.top {
        for (share, part) in shares.iter_mut().zip(apportion(weights, top.into())) {
            share.top = Some(part as u32);
        }
    }
    shares
}

/// Adds a share of the closing school's pupils to a receiving school: grade
/// by grade where either school gives grades, else to its staying total.
fn hand_over(
    target: &mut School,
    o: &Origin,
    stage: Stage,
    theirs: &grades::StageGrades,
    closing_by_grade: bool,
    pupils: u32,
) -> Result<(), ChangeError> {
    let with_grades = grades::read_by_grade(target).ok().flatten().is_some() || closing_by_grade;
    if !with_grades {
        target.enrolled[stage.index()] += pupils;
        return Ok(());
    }
    let mut g = grades::of_school(target).map_err(|message| ChangeError::Refused {
        origin: Box::new(o.clone()),
        field: "replaced_by".into(),
        message: format!("the replacement's {}: {message}", grades::BY_GRADE),
    })?;
    let mine = &mut g[stage.index()];
    for (a, b) in mine.staying.iter_mut().zip(&theirs.staying) {
        *a += b;
    }
    mine.top = match (mine.top, theirs.top) {
        (Some(a), Some(b)) => Some(a + b),
        (Some(a), None) => Some(a + theirs.top_or_mean().round() as u32),
        (None, Some(b)) => Some(mine.top_or_mean().round() as u32 + b),
        (None, None) => None,
    };
    grades::store(target, &g);
    Ok(())
}

/// Refuses a closure into existing schools that lack the seats: the
/// receivers' seats of the stage (after taking the closing school's
/// staying pupils) against the entry children of today's catchments of the
/// closing school and the receivers. Today's catchment is the zones whose
/// `current_*` names the school; zones without one count for their nearest
/// school of the stage in their county. Returns the receivers' seats and
/// those children, for the log.
fn check_receiving_seats(
    region: &Region,
    policy: &Policy,
    o: &Origin,
    closing: usize,
    stage: Stage,
    receivers: &[usize],
) -> Result<(u64, u64), ChangeError> {
    let seats: u64 = receivers
        .iter()
        .map(|&r| u64::from(policy.seats(&region.schools[r]).of(stage)))
        .sum();
    let county = &region.schools[closing].county;
    let schools: Vec<usize> = (0..region.schools.len())
        .filter(|&x| {
            let school = &region.schools[x];
            school.takes_catchment(stage) && &school.county == county
        })
        .collect();
    let mut children = 0u64;
    for zone in region.zones.iter().filter(|z| &z.county == county) {
        let today = zone.current[stage.index()].or_else(|| {
            schools.iter().copied().min_by(|&a, &b| {
                let d = |x: usize| haversine_m(region.schools[x].location, zone.centroid);
                d(a).total_cmp(&d(b)).then(a.cmp(&b))
            })
        });
        if today.is_some_and(|t| t == closing || receivers.contains(&t)) {
            children += u64::from(zone.cohort(stage).total());
        }
    }
    let ids: Vec<&str> = receivers
        .iter()
        .map(|&r| region.schools[r].id.as_str())
        .collect();
    if children > seats {
        return Err(ChangeError::Refused {
            origin: Box::new(o.clone()),
            field: "replaced_by".into(),
            message: format!(
                "closing \"{}\" into {} is refused: they have {seats} {} seats for the {children} entry children of today's catchments of \"{}\" and theirs, {} seats short; give them classes with [[change_school]], or name more schools in `replaced_by`",
                region.schools[closing].id,
                ids.join(", "),
                stage.key(),
                region.schools[closing].id,
                children - seats
            ),
        });
    }
    Ok((seats, children))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::model::{Cohort, Shape, Zone};

    fn school(id: &str, kind: SchoolKind, x: f64) -> School {
        School::public(id, kind, Point::new(x, 31.6)).in_county("c")
    }

    fn region() -> Region {
        let mut p1 = school("P1", SchoolKind::Primary, 117.70);
        p1.enrolled = [100, 0];
        let zone = |id: &str, x: f64| Zone {
            id: id.into(),
            name: id.into(),
            shape: Shape::Point(Point::new(x, 31.6)),
            centroid: Point::new(x, 31.6),
            children: [
                Cohort {
                    local: 10,
                    migrant: 2,
                },
                Cohort {
                    local: 5,
                    migrant: 1,
                },
            ],
            current: [Some(0), Some(2)],
            special: [0, 0],
            county: Some("c".into()),
            properties: Default::default(),
        };
        Region {
            zones: vec![zone("Z1", 117.701), zone("Z2", 117.702)],
            schools: vec![
                p1,
                school("P2", SchoolKind::Primary, 117.75),
                school("J1", SchoolKind::Junior, 117.72),
            ],
            ..Region::default()
        }
    }

    fn changes(text: &str) -> Result<Vec<Change>, ChangeError> {
        #[derive(Deserialize)]
        struct File {
            #[serde(default)]
            add_school: Vec<AddSchoolTable>,
            #[serde(default)]
            close_school: Vec<CloseSchoolTable>,
            #[serde(default)]
            new_housing: Vec<NewHousingTable>,
        }
        let f: File = toml::from_str(text).unwrap();
        parse(
            Path::new("s.toml"),
            Path::new("."),
            Tables {
                add_school: f.add_school,
                close_school: f.close_school,
                new_housing: f.new_housing,
                ..Default::default()
            },
        )
    }

    #[test]
    fn a_closure_hands_catchment_and_pupils_to_the_replacement() {
        let mut r = region();
        let c = changes(
            "[[add_school]]\nid = \"P3\"\nlocation = [117.705, 31.6]\nstage = \"primary\"\nclasses_primary = 2\n\
             [[close_school]]\nid = \"P1\"\n",
        )
        .unwrap();
        let log = apply(&mut r, &c, &Policy::default(), &ReadSettings::default()).unwrap();
        assert_eq!(log.len(), 2);
        let ids: Vec<&str> = r.schools.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["P2", "J1", "P3"]);
        // The new school took the county of the zones around it.
        assert_eq!(r.schools[2].county.as_deref(), Some("c"));
        assert_eq!(r.schools[2].enrolled, [100, 0]);
        for z in &r.zones {
            assert_eq!(z.current, [Some(2), Some(1)]);
        }
    }

    /// A new school's location is picked on the same map as the schools
    /// file: with that file declared GCJ-02, it is read as GCJ-02 (the
    /// zones' crs does not matter).
    #[test]
    fn a_new_school_is_placed_in_the_schools_files_crs() {
        let text = "[[add_school]]\nid = \"P3\"\nlocation = [117.705, 31.6]\nstage = \"primary\"\nclasses_primary = 2\n";
        let placed = |schools: Crs| {
            let mut r = region();
            let mut settings = ReadSettings::default();
            settings.schools.crs = schools;
            settings.zones.crs = Crs::Bd09;
            apply(
                &mut r,
                &changes(text).unwrap(),
                &Policy::default(),
                &settings,
            )
            .unwrap();
            r.schools.last().unwrap().location
        };
        assert_eq!(placed(Crs::Wgs84), Point::new(117.705, 31.6));
        let (x, y) = Crs::Gcj02.to_wgs84(117.705, 31.6);
        assert_eq!(placed(Crs::Gcj02), Point::new(x, y));
        assert!(haversine_m(placed(Crs::Gcj02), Point::new(117.705, 31.6)) > 300.0);
    }

    #[test]
    fn a_closure_without_a_replacement_is_refused() {
        let mut r = region();
        let c = changes("[[close_school]]\nid = \"P1\"\n").unwrap();
        let err = apply(&mut r, &c, &Policy::default(), &ReadSettings::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("s.toml: close_school[0] (id \"P1\")"), "{err}");
        assert!(err.contains("先建后撤") && err.contains("primary"), "{err}");
        // A school of another stage does not replace it.
        let mut r = region();
        let c = changes(
            "[[add_school]]\nid = \"J2\"\nlocation = [117.705, 31.6]\nstage = \"junior\"\n\
             [[close_school]]\nid = \"P1\"\n",
        )
        .unwrap();
        assert!(apply(&mut r, &c, &Policy::default(), &ReadSettings::default()).is_err());
    }

    #[test]
    fn a_closure_into_an_existing_school_needs_its_seats() {
        let mut r = region();
        let c = changes("[[close_school]]\nid = \"P1\"\nreplaced_by = \"P2\"\n").unwrap();
        let log = apply(&mut r, &c, &Policy::default(), &ReadSettings::default()).unwrap();
        let line = log[0].text(crate::i18n::Lang::En);
        assert!(
            line.contains("go to P2") && line.contains("1900 primary seats for 24"),
            "{line}"
        );
        let ids: Vec<&str> = r.schools.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["P2", "J1"]);
        assert_eq!(r.schools[0].enrolled, [100, 0]);
        for z in &r.zones {
            assert_eq!(z.current, [Some(0), Some(1)]);
        }
        // No classes: no seats for the 24 children of both catchments.
        let mut r = region();
        r.schools[1].classes = [Some(0), None];
        let err = apply(&mut r, &c, &Policy::default(), &ReadSettings::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("close_school[0] (id \"P1\")")
                && err.contains("0 primary seats for the 24 entry children")
                && err.contains("24 seats short"),
            "{err}"
        );
    }

    #[test]
    fn apportion_keeps_the_total_and_is_deterministic() {
        assert_eq!(apportion(&[1.0, 1.0, 1.0], 4), vec![2, 1, 1]);
        assert_eq!(apportion(&[0.0, 0.0], 3), vec![3, 0]);
        let parts = apportion(&[0.3, 0.3, 0.4], 10);
        assert_eq!(parts.iter().sum::<u64>(), 10);
        assert_eq!(parts, vec![3, 3, 4]);
    }

    #[test]
    fn growth_beyond_the_zone_limit_is_refused_naming_the_factor() {
        for factor in ["1e12", "1e300", "2000000.0"] {
            let mut r = region();
            let c = changes(&format!(
                "[[new_housing]]\nfactor = {factor}\nzones = [\"Z1\"]\n"
            ))
            .unwrap();
            let err = apply(&mut r, &c, &Policy::default(), &ReadSettings::default())
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("`factor`") && err.contains("more than 10000000"),
                "{err}"
            );
        }
    }

    #[test]
    fn growth_does_not_round_away_on_small_zones() {
        let grown = grow_counts(&[1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 1.3);
        assert_eq!(grown.iter().sum::<u64>(), 13);
        assert!(grown.iter().all(|&x| x == 1 || x == 2));
        assert_eq!(grow_counts(&[4, 0, 2], 0.5), vec![2, 0, 1]);
    }

    #[test]
    fn births_grow_with_primary_children() {
        let mut p = serde_json::Map::new();
        p.insert("births".into(), serde_json::json!([10, 20]));
        p.insert("births_2019".into(), serde_json::json!(8));
        p.insert("births_note".into(), serde_json::json!("x"));
        grow_births(&mut p, 1.5);
        assert_eq!(p["births"], serde_json::json!([15.0, 30.0]));
        assert_eq!(p["births_2019"], serde_json::json!(12.0));
        assert_eq!(p["births_note"], "x");
    }
}
