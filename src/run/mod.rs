//! One resolved run: the scenario file, the files it `extends`, a policy
//! file and the command-line flags merged and checked once into a [`Run`],
//! and the one place where a plan is made from it ([`Run::plan`]). Every
//! command that makes a plan — run, allocate, compare, project, site,
//! serve, lottery — goes through here, so one scenario gives one plan
//! whatever command reads it.

mod basemap;
pub mod change_notes;
pub mod changes;
mod formats;
mod projection;
mod scenario;

use std::path::{Path, PathBuf};

use crate::i18n::Lang;
use crate::io::{
    Columns, FileSettings, InputError, LocksError, NeighboursError, ReadSettings, read_barriers,
    read_locks, read_neighbours, read_region_with,
};
use crate::model::Region;
use crate::options::{OutOfRange, range};
use crate::plan::feeders::Feeders;
use crate::plan::{
    DEFAULT_BALANCE_KM, MigrantCatchments, Objective, Observer, Plan, PlanError, Preferences,
};
use crate::policy::Policy;

use crate::solve::{Settings, SolverOptions};
use crate::spatial::Crs;
use crate::spatial::GivenNeighbours;
use crate::spatial::roads::Weight;
use crate::spatial::roads::{Network, Profile};
use crate::spatial::{DistanceKind, Distances, ObjectiveUnit};
use crate::spatial::{RoadSettings, RoadsError};

pub use basemap::{Basemap, Tiles};
pub use formats::{Formats, MapOutput};
pub use projection::ProjectionSettings;
pub use scenario::{Scenario, ScenarioError, read_policy};

crate::options! {
    /// What a plan weighs beyond the policy: keys of a scenario file (at
    /// its top level) and flags of every command that makes a plan.
    pub struct PlanOptions => PlanSettings {
        /// Locks (CSV: zone,school,action[,stage]; action pin or forbid).
        #[arg(long)]
        locks: PathBuf, range::any;
        /// Km of travel that moving one child away from today's school
        /// (`current_*`) is worth; 0 ignores stability.
        #[arg(long, allow_negative_numbers = true)]
        stability_km: f64 = 0.0, range::km;
        /// Most children of a stage moved away from today's school
        /// (`current_*`): the least stability weight that meets it is found.
        #[arg(long)]
        max_moved: u64, range::any;
        /// Every catchment one connected piece (scenario key `contiguous`,
        /// default true). The flag `--allow-pieces` leaves catchments as the
        /// distance-optimal plan draws them, in pieces where seats run short.
        #[arg(long = "allow-pieces", num_args = 0, default_missing_value = "false")]
        contiguous: bool = true, range::any;
        /// Where a catchment is left in pieces with a proof that holds only
        /// while the catchments around it stay as they are, hunt for a
        /// connected plan three times longer than by default, and in wider
        /// windows too: up to a minute on a tight county of a few hundred
        /// zones. A connected plan found may cost many more child-km
        /// (summary.json's `contiguity.price`).
        #[arg(long = "deep-join", num_args = 0, default_missing_value = "true")]
        deep_join: bool = false, range::any;
        /// Rivers, expressways, railways (GeoJSON lines) children should not
        /// cross: a zone crosses one only where no school on its side has seats.
        #[arg(long)]
        barriers: PathBuf, range::any;
        /// Km of travel one edge of catchment boundary is worth: above 0,
        /// catchments become more compact at some cost in distance.
        #[arg(long, allow_negative_numbers = true)]
        compactness_km: f64 = 0.0, range::km;
        /// Km of child travel one more entry class is worth: above 0, nearly
        /// empty classes are avoided where moving a few zones costs little.
        #[arg(long, allow_negative_numbers = true)]
        class_cost_km: f64 = 0.0, range::km;
        /// 对口直升: `aligned` draws junior catchments over whole primary
        /// catchments, so each primary school feeds exactly one junior
        /// school; `free` (default) draws each stage on its own.
        #[arg(long, value_enum)]
        feeders: Feeders = Feeders::Free, range::any;
        /// What the plan minimises: `distance` (child-km) or `balance`
        /// (child-km plus an even use of seats between neighbouring schools;
        /// the distance-only plan is reported beside it).
        #[arg(long, value_enum)]
        objective: Objective = Objective::Distance, range::any;
        /// With objective `balance`: km of travel worth moving one child from
        /// a full school to an empty one (default 8).
        #[arg(long, allow_negative_numbers = true)]
        balance_km: f64, range::km;
        /// `separate`: migrant children get catchments of their own (usually
        /// wider), drawn after the local ones over the seats locals leave;
        /// `same` (default): they go with the zone's local children.
        #[arg(long, value_enum, value_name = "same|separate")]
        migrant_catchments: MigrantCatchments = MigrantCatchments::Same, range::any;
        /// Plan zones farther than the policy's `max_trip_km` from every
        /// school of their county (listed in summary.json and report.md)
        /// instead of stopping: such distances usually mean swapped
        /// coordinates or a zone in the wrong county.
        #[arg(long = "allow-far", num_args = 0, default_missing_value = "true")]
        allow_far: bool = false, range::any;
        /// Neighbours the map cannot see or must not see (CSV:
        /// zone_a,zone_b[,action]; action add, the default, or remove): used
        /// wherever catchments must be connected. With point zones only, the
        /// pairs added replace the guess from the points.
        #[arg(long)]
        adjacency: PathBuf, range::any;
        /// Every community's zones of a stage (zone property `community`:
        /// 社区/居委/村) to one school, within seats and connected
        /// catchments; a community that cannot be kept whole is named with
        /// the reason in report.md and summary.json.
        #[arg(long = "keep-communities-whole", num_args = 0, default_missing_value = "true")]
        keep_communities_whole: bool = false, range::any;
        /// Roads and paths (GeoJSON LineStrings or a shapefile of polylines,
        /// with optional `highway`, `oneway`, `foot`, `access`; or an
        /// OpenStreetMap .osm.pbf extract): distances are then measured
        /// along them.
        #[arg(long)]
        roads: PathBuf, range::any;
        /// How distance is measured: `walk` (every path both ways, no
        /// motorways; the default with roads), `drive` (roads only, one-way
        /// streets respected) or `straight` (great-circle; the default
        /// without roads).
        #[arg(long, value_enum)]
        distance: DistanceKind, range::any;
        /// Farthest a zone's centroid or a school may lie from a usable road
        /// to join the network, metres (farther: straight line times the
        /// county's median detour, flagged).
        #[arg(long)]
        max_snap_m: f64 = 500.0, range::metres;
        /// Plan even where more than half of the zones cannot use the road
        /// network (they fall back to straight lines, flagged); otherwise
        /// that is an error, as the roads file is then likely wrong.
        #[arg(long = "allow-fallback", num_args = 0, default_missing_value = "true")]
        allow_fallback: bool = false, range::any;
        /// What the objective counts: `km` (child-km along the roads, the
        /// default) or `minutes` (child-minutes along the roads, each way at
        /// its `speed_kmh` or its highway's speed for the profile; needs
        /// roads and distance walk or drive). The `*_km` weights then count
        /// as the minutes the network's fastest way takes for that distance.
        #[arg(long, value_enum)]
        objective_unit: ObjectiveUnit = ObjectiveUnit::Km, range::any;
    }
}

crate::options! {
    /// How the input files are read and output geometry written: keys of a
    /// scenario file (at its top level) and flags of every command that
    /// reads maps.
    pub struct InputOptions => Inputs {
        /// Coordinate system of every input file: `wgs84` (GPS, default),
        /// `gcj02` (Amap, Tencent) or `bd09` (Baidu); converted to WGS84 on
        /// reading.
        #[arg(long, value_enum)]
        crs: Crs = Crs::Wgs84, range::any;
        /// The zones file's coordinate system, where it differs from `crs`.
        #[arg(skip)]
        zones_crs: Crs, range::any;
        /// The schools file's coordinate system, where it differs from `crs`.
        #[arg(skip)]
        schools_crs: Crs, range::any;
        /// The roads file's coordinate system, where it differs from `crs`.
        #[arg(skip)]
        roads_crs: Crs, range::any;
        /// The barriers file's coordinate system, where it differs from `crs`.
        #[arg(skip)]
        barriers_crs: Crs, range::any;
        /// Coordinate system of the output geometry (zones.geojson,
        /// catchments.geojson, shapefiles): `wgs84` (default), or `gcj02` /
        /// `bd09` to overlay an Amap or Baidu basemap.
        #[arg(long, value_enum)]
        output_crs: Crs = Crs::Wgs84, range::any;
        /// The property that holds each zone's and school's county, where it
        /// is not `county` (e.g. `district`).
        #[arg(long)]
        county_field: String, range::any;
    }
}

impl Inputs {
    /// The coordinate system of the zones file.
    pub fn zones_crs(&self) -> Crs {
        self.zones_crs.unwrap_or(self.crs)
    }

    /// The coordinate system of the schools file.
    pub fn schools_crs(&self) -> Crs {
        self.schools_crs.unwrap_or(self.crs)
    }

    /// The coordinate systems of the zones and schools files.
    pub fn input_crs(&self) -> InputCrs {
        InputCrs {
            zones: self.zones_crs(),
            schools: self.schools_crs(),
        }
    }

    /// The coordinate system of the roads file: what reads roads converts
    /// their geometry with [`Crs::geometry_to_wgs84`].
    pub fn roads_crs(&self) -> Crs {
        self.roads_crs.unwrap_or(self.crs)
    }

    /// The coordinate system of the barriers file, drawn like the roads on
    /// the bureau's map.
    pub fn barriers_crs(&self) -> Crs {
        self.barriers_crs.unwrap_or(self.crs)
    }
}

/// The coordinate systems the zones and schools were read in, which the
/// plan's documents recall (features declared GCJ-02 or BD-09 outside
/// mainland China are named there).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InputCrs {
    pub zones: Crs,
    pub schools: Crs,
}

crate::options! {
    /// How the documents people read are written: keys of a scenario file
    /// (at its top level) and flags of every command that writes them.
    pub struct DocumentOptions => Documents {
        /// Language of the documents people read: `zh` (simplified Chinese,
        /// default) or `en`.
        #[arg(long, value_enum)]
        lang: Lang = Lang::Zh, range::any;
        /// Map formats of catchments and zones: `geojson` (always written)
        /// and `shp` (shapefiles for ArcGIS, with .cpg and .prj), comma
        /// separated: `--formats geojson,shp`.
        #[arg(long)]
        formats: Formats = Formats::default(), range::any;
    }
}

/// What the command line adds to a scenario: plan, solver and document
/// options.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Flags {
    #[command(flatten)]
    pub plan: PlanOptions,
    #[command(flatten)]
    pub solver: SolverOptions,
    #[command(flatten)]
    pub documents: DocumentOptions,
    #[command(flatten)]
    pub inputs: InputOptions,
}

#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    #[error(transparent)]
    Input(#[from] InputError),
    #[error(transparent)]
    Locks(#[from] LocksError),
    #[error(transparent)]
    Neighbours(#[from] NeighboursError),
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error(transparent)]
    Roads(#[from] RoadsError),
    #[error("{0}")]
    Flag(#[from] OutOfRange),
    #[error(
        "{flag} {km} is given but the objective is \"distance\"; add --objective balance (or objective = \"balance\" in the scenario)"
    )]
    IdleBalance { flag: &'static str, km: f64 },
    #[error(
        "distance = \"{0}\" measures along roads, but no roads file is given; add --roads FILE (or roads = \"FILE\" in the scenario), or use --distance straight"
    )]
    DistanceWithoutRoads(&'static str),
    #[error(
        "objective_unit = \"minutes\" counts travel time along roads, but distances are straight lines{why}; add --roads FILE (or roads = \"FILE\" in the scenario) with --distance walk or drive, or use --objective-unit km"
    )]
    MinutesWithoutRoads { why: &'static str },
    #[error("internal error, please report: children lost in the plan: {0}")]
    Lost(String),
}

/// Where a run's region comes from.
#[derive(Clone, Debug)]
pub enum Source {
    /// Two map files as they are (`catchment allocate`).
    Maps { zones: PathBuf, schools: PathBuf },
    /// A scenario: its maps with its changes applied.
    Scenario(Box<Scenario>),
}

/// Everything a command needs to make a plan, merged and checked.
#[derive(Clone, Debug)]
pub struct Run {
    pub name: String,
    pub description: String,
    pub source: Source,
    pub policy: Policy,
    pub settings: Settings,
    pub options: PlanSettings,
    pub documents: Documents,
    /// How the maps are read and output geometry written.
    pub inputs: Inputs,
    /// Calendar year of the intake (`[projection] start_year`), for titles.
    pub year: Option<i32>,
    /// Where the outputs go: `--out`, else the scenario's `out`.
    pub out: PathBuf,
}

impl Run {
    /// A scenario with the command line's flags over it.
    pub fn from_scenario(
        scenario: Scenario,
        flags: &Flags,
        out: Option<PathBuf>,
    ) -> Result<Run, RunError> {
        let options = merge(&flags.plan, scenario.options.clone())?;
        flags.solver.check(true)?;
        let settings = flags.solver.clone().over(scenario.solver.clone()).resolve();
        let documents = flags
            .documents
            .clone()
            .over(scenario.documents.clone())
            .resolve();
        flags.inputs.check(true)?;
        let inputs = flags.inputs.clone().over(scenario.inputs.clone()).resolve();
        Ok(Run {
            documents,
            inputs,
            year: scenario.projection.start_year,
            name: scenario.name.clone(),
            description: scenario.description.clone(),
            policy: scenario.policy.clone(),
            settings,
            options,
            out: out.unwrap_or_else(|| scenario.out.clone()),
            source: Source::Scenario(Box::new(scenario)),
        })
    }

    /// Two maps, a policy and the flags, without a scenario file.
    pub fn from_maps(
        zones: PathBuf,
        schools: PathBuf,
        policy: Policy,
        flags: &Flags,
        out: PathBuf,
    ) -> Result<Run, RunError> {
        let options = merge(&flags.plan, PlanOptions::default())?;
        flags.solver.check(true)?;
        Ok(Run {
            name: out
                .file_name()
                .map_or("plan".into(), |n| n.to_string_lossy().into_owned()),
            description: String::new(),
            policy,
            settings: flags.solver.clone().resolve(),
            options,
            documents: flags.documents.resolve(),
            inputs: flags.inputs.resolve(),
            year: None,
            out,
            source: Source::Maps { zones, schools },
        })
    }

    /// How this run's map files are written: `output_crs` and `formats`.
    pub fn map_output(&self) -> MapOutput {
        MapOutput {
            crs: self.inputs.output_crs,
            formats: self.documents.formats,
        }
    }

    /// The scenario, where the run has one.
    pub fn scenario(&self) -> Option<&Scenario> {
        match &self.source {
            Source::Scenario(s) => Some(s),
            Source::Maps { .. } => None,
        }
    }

    /// The region to plan, with its distances (by road where roads are
    /// given), and one line per scenario change applied.
    pub fn region(&self) -> Result<(Region, Vec<change_notes::ChangeNote>), RunError> {
        let settings = self.read_settings();
        let roads = self.road_settings()?;
        match &self.source {
            // With roads, the changes that ask how far (zones within
            // `radius_km` of new housing, the nearest school to take a
            // closed one's catchment) measure along the roads of the maps
            // as read; the changed region is then joined to them anew.
            Source::Scenario(s) if !s.changes.is_empty() && roads.is_some() => {
                let mut region = s.base_region_with(&settings)?;
                region.distances = self.distances(&region, roads.as_ref(), None)?;
                let log = changes::apply(&mut region, &s.changes, &s.policy, &settings)
                    .map_err(ScenarioError::from)?;
                region.distances = self.distances(&region, roads.as_ref(), None)?;
                Ok((region, log))
            }
            source => {
                // A road layer read whole (anything but an extract, which
                // is clipped to the zones) does not depend on the zones: it
                // is read and made a network beside them.
                let (read, network) = rayon::join(
                    || match source {
                        Source::Maps { zones, schools } => {
                            Ok((read_region_with(zones, schools, &settings)?, Vec::new()))
                        }
                        Source::Scenario(s) => s.changed_region_with(&settings),
                    },
                    || match &roads {
                        Some((path, road)) if !crate::io::is_extract(path) => {
                            self.network(path, road, None).map(Some)
                        }
                        _ => Ok(None),
                    },
                );
                let (mut region, log) = read?;
                region.distances = self.distances(&region, roads.as_ref(), network?)?;
                Ok((region, log))
            }
        }
    }

    /// The roads file and how its network is made, where distances are
    /// along roads (`walk`/`drive`); `None` for great-circle distances.
    fn road_settings(&self) -> Result<Option<(PathBuf, RoadSettings)>, RunError> {
        let o = &self.options;
        let kind = o.distance.unwrap_or(if o.roads.is_some() {
            DistanceKind::Walk
        } else {
            DistanceKind::Straight
        });
        let minutes = o.objective_unit == ObjectiveUnit::Minutes;
        let profile = match kind {
            DistanceKind::Straight if minutes => {
                return Err(RunError::MinutesWithoutRoads {
                    why: if o.roads.is_some() {
                        " (distance = \"straight\")"
                    } else {
                        " (no roads file)"
                    },
                });
            }
            DistanceKind::Straight => return Ok(None),
            DistanceKind::Walk => Profile::Walk,
            DistanceKind::Drive => Profile::Drive,
        };
        let Some(path) = &o.roads else {
            return Err(RunError::DistanceWithoutRoads(kind.key()));
        };
        let settings = RoadSettings {
            profile,
            weight: if minutes {
                Weight::Time
            } else {
                Weight::Length
            },
            max_snap_m: o.max_snap_m,
            allow_fallback: o.allow_fallback,
        };
        Ok(Some((path.clone(), settings)))
    }

    /// The network of the roads file; an extract's ways clipped to `area`
    /// (in WGS84), which other files do not need.
    fn network(
        &self,
        path: &Path,
        settings: &RoadSettings,
        area: Option<geo::Rect<f64>>,
    ) -> Result<Network, RunError> {
        // The area is clipped in the file's own coordinates, then every
        // vertex is brought to WGS84 like the zones and schools.
        let crs = self.inputs.roads_crs();
        let clip = area.map_or(
            geo::Rect::new(
                geo::coord! { x: f64::NEG_INFINITY, y: f64::NEG_INFINITY },
                geo::coord! { x: f64::INFINITY, y: f64::INFINITY },
            ),
            |area| {
                let (min, max) = (area.min(), area.max());
                let (a, b) = (crs.from_wgs84(min.x, min.y), crs.from_wgs84(max.x, max.y));
                geo::Rect::new(
                    geo::coord! { x: a.0, y: a.1 },
                    geo::coord! { x: b.0, y: b.1 },
                )
            },
        );
        let columns = self
            .scenario()
            .map(|s| s.columns("roads"))
            .unwrap_or_default();
        let mut ways = crate::io::read_ways(path, clip, &columns)?;
        for c in ways.iter_mut().flat_map(|w| w.coords.iter_mut()) {
            (c.x, c.y) = crs.to_wgs84(c.x, c.y);
        }
        Ok(crate::spatial::network(path, &ways, settings)?)
    }

    /// How far zones are from schools in this run: along the roads file's
    /// network where `roads` are given ([`Run::road_settings`]; `network`
    /// where it was made already), great-circle otherwise.
    fn distances(
        &self,
        region: &Region,
        roads: Option<&(PathBuf, RoadSettings)>,
        network: Option<Network>,
    ) -> Result<Distances, RunError> {
        let Some((path, settings)) = roads else {
            return Ok(Distances::default());
        };
        let network = match network {
            Some(n) => n,
            None => {
                let area = crate::spatial::zones_area(region, 5_000.0);
                self.network(path, settings, Some(area))?
            }
        };
        let road = crate::spatial::join_network(path, network, region, settings)?;
        Ok(Distances::by_road(std::sync::Arc::new(road)))
    }

    /// How the zones and schools files are read: the coordinate systems,
    /// the scenario's `[columns]` and `county_field`.
    pub fn read_settings(&self) -> ReadSettings {
        let columns = |file: &str| match self.scenario() {
            Some(s) => s.columns(file),
            None => Columns::default(),
        };
        let file = |crs: Crs, name: &str| FileSettings {
            crs,
            columns: columns(name),
            county_field: self.inputs.county_field.clone(),
        };
        ReadSettings {
            zones: file(self.inputs.zones_crs(), "zones"),
            schools: file(self.inputs.schools_crs(), "schools"),
        }
    }

    /// The options with their files read (locks need the region's ids).
    pub fn preferences(&self, region: &Region) -> Result<Preferences, RunError> {
        let o = &self.options;
        Ok(Preferences {
            locks: match &o.locks {
                Some(path) => read_locks(path, region)?,
                None => Vec::new(),
            },
            stability_km: o.stability_km,
            max_moved: o.max_moved,
            contiguous: o.contiguous,
            deep_join: o.deep_join,
            barriers: match &o.barriers {
                Some(path) => read_barriers(path, self.inputs.barriers_crs())?,
                None => Vec::new(),
            },
            compactness_km: o.compactness_km,
            class_cost_km: o.class_cost_km,
            feeders_aligned: o.feeders == Feeders::Aligned,
            objective: o.objective,
            balance_km: o.balance_km.unwrap_or(DEFAULT_BALANCE_KM),
            migrant_catchments: o.migrant_catchments,
            allow_far: o.allow_far,
            neighbours: match &o.adjacency {
                Some(path) => read_neighbours(path, region)?,
                None => GivenNeighbours::default(),
            },
            keep_communities_whole: o.keep_communities_whole,
            ..Preferences::default()
        })
    }

    /// The plan this run asks for, checked for conservation (children in =
    /// placed + unplaced, the companion plan too).
    pub fn plan(
        &self,
        region: &Region,
        preferences: &Preferences,
        observer: &dyn Observer,
    ) -> Result<Plan, RunError> {
        let plan = crate::plan::make(region, &self.policy, &self.settings, preferences, observer)?;
        let companion = plan.objective.distance_only.as_deref();
        for p in std::iter::once(&plan).chain(companion) {
            p.conservation(region).map_err(RunError::Lost)?;
        }
        Ok(plan)
    }
}

/// The flags over the scenario's options, checked. A scenario's
/// `balance_km` goes with its own objective: asking for `--objective
/// distance` sets it aside, while a `--balance-km` without the balance
/// objective is a mistake.
fn merge(flags: &PlanOptions, mut scenario: PlanOptions) -> Result<PlanSettings, RunError> {
    flags.check(true)?;
    if flags.objective == Some(Objective::Distance) {
        scenario.balance_km = None;
    }
    let merged = flags.clone().over(scenario).resolve();
    if let Some(km) = flags.balance_km
        && merged.objective != Objective::Balance
    {
        return Err(RunError::IdleBalance {
            flag: "--balance-km",
            km,
        });
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_and_a_distance_objective_sets_the_scenario_weight_aside() {
        let scenario = PlanOptions {
            objective: Some(Objective::Balance),
            balance_km: Some(3.0),
            stability_km: Some(1.0),
            ..PlanOptions::default()
        };
        let flags = PlanOptions {
            stability_km: Some(2.0),
            ..PlanOptions::default()
        };
        let s = merge(&flags, scenario.clone()).unwrap();
        assert_eq!((s.stability_km, s.balance_km), (2.0, Some(3.0)));
        let flags = PlanOptions {
            objective: Some(Objective::Distance),
            ..PlanOptions::default()
        };
        let s = merge(&flags, scenario).unwrap();
        assert_eq!((s.objective, s.balance_km), (Objective::Distance, None));
    }

    #[test]
    fn a_lone_balance_weight_or_a_negative_flag_is_refused_by_name() {
        let flags = PlanOptions {
            balance_km: Some(2.0),
            ..PlanOptions::default()
        };
        let e = merge(&flags, PlanOptions::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("--balance-km 2") && e.contains("--objective balance"),
            "{e}"
        );
        let flags = PlanOptions {
            stability_km: Some(-1.0),
            ..PlanOptions::default()
        };
        let e = merge(&flags, PlanOptions::default())
            .unwrap_err()
            .to_string();
        assert_eq!(e, "--stability-km is -1.0; expected a distance >= 0 in km");
    }
}
