//! How distances were measured, for `summary.json` (`"distance"`) and the
//! report's distance section: straight, or along which roads, how many
//! zones and schools joined them, how much longer the road is than the
//! straight line, and who fell back to straight lines.

use std::io::{Result, Write};

use serde::Serialize;

use crate::i18n::Lang;
use crate::model::Region;
use crate::spatial::roads::Weight;
use crate::spatial::{FallbackReason, Place, road_distances};
use crate::tr;

use super::markdown::md;

#[derive(Clone, Debug, Serialize)]
pub struct DistanceSummary {
    /// `walk`, `drive` or `straight`.
    pub kind: &'static str,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub road: Option<RoadSummary>,
}

#[derive(Clone, Debug, Serialize)]
pub struct RoadSummary {
    /// The roads file as given.
    pub roads: String,
    pub network: NetworkSummary,
    pub snapped: SnappedSummary,
    /// Zones measured by straight line times their county's median detour.
    pub fallback_zones: Vec<FallbackSummary>,
    /// Schools likewise (farther than `max_snap_m` from every usable road).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fallback_schools: Vec<FallbackSummary>,
    pub detour: DetourSummary,
    /// With `objective_unit = "minutes"`: the speed a cost km is travelled
    /// at (the network's fastest way), km/h.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_kmh: Option<f64>,
}

#[derive(Clone, Debug, Serialize)]
pub struct NetworkSummary {
    pub nodes: usize,
    pub edges: usize,
    pub km: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SnappedSummary {
    pub zones: usize,
    pub schools: usize,
    pub max_snap_m: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct FallbackSummary {
    pub id: String,
    /// `no_road_near` or `cut_off`.
    pub reason: &'static str,
    /// The stage whose schools its roads do not reach (`cut_off`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<&'static str>,
    pub detour: f64,
}

#[derive(Clone, Debug, Serialize)]
pub struct DetourSummary {
    pub median: f64,
    pub p95: f64,
}

fn round(x: f64, digits: i32) -> f64 {
    let f = 10f64.powi(digits);
    (x * f).round() / f
}

impl DistanceSummary {
    pub fn build(region: &Region) -> DistanceSummary {
        let d = &region.distances;
        DistanceSummary {
            kind: d.kind(),
            road: road_distances(d).map(|r| {
                let fallback = |place: Place| {
                    r.fallback
                        .iter()
                        .filter(|f| f.place == place)
                        .map(|f| FallbackSummary {
                            id: f.id.clone(),
                            reason: f.reason.key(),
                            stage: match f.reason {
                                FallbackReason::Cut { stage } => Some(stage.key()),
                                FallbackReason::NoRoadNear { .. } => None,
                            },
                            detour: round(f.detour, 3),
                        })
                        .collect()
                };
                RoadSummary {
                    roads: r.file.display().to_string(),
                    network: NetworkSummary {
                        nodes: r.network.used_nodes(),
                        edges: r.network.edges.len(),
                        km: round(r.network.km(), 3),
                    },
                    snapped: SnappedSummary {
                        zones: r.zones_snapped,
                        schools: r.schools_snapped,
                        max_snap_m: r.max_snap_m,
                    },
                    fallback_zones: fallback(Place::Zone),
                    fallback_schools: fallback(Place::School),
                    detour: DetourSummary {
                        median: round(r.detour.median, 3),
                        p95: round(r.detour.p95, 3),
                    },
                    reference_kmh: (r.network.weight == Weight::Time)
                        .then_some(r.network.reference_kmh),
                }
            }),
        }
    }
}

/// The report's distance section, for a region of `zones` zones and
/// `schools` schools.
pub fn section(
    w: &mut dyn Write,
    l: Lang,
    s: &DistanceSummary,
    zones: usize,
    schools: usize,
) -> Result<()> {
    writeln!(w, "\n## {}\n", tr!(l, "distance.heading"))?;
    let Some(r) = &s.road else {
        return writeln!(w, "{}", tr!(l, "distance.straight"));
    };
    let kind = match s.kind {
        "drive" => tr!(l, "distance.kind_drive"),
        _ => tr!(l, "distance.kind_walk"),
    };
    writeln!(
        w,
        "{}",
        tr!(
            l,
            "distance.road",
            kind = kind,
            file = md(&r.roads),
            nodes = r.network.nodes,
            edges = r.network.edges,
            km = format!("{:.1}", r.network.km),
            zones = r.snapped.zones,
            all_zones = zones,
            schools = r.snapped.schools,
            all_schools = schools,
            snap = r.snapped.max_snap_m
        )
    )?;
    writeln!(
        w,
        "\n{}",
        tr!(
            l,
            "distance.detour",
            median = format!("{:.2}", r.detour.median),
            p95 = format!("{:.2}", r.detour.p95)
        )
    )?;
    if let Some(kmh) = r.reference_kmh {
        writeln!(w, "\n{}", tr!(l, "distance.minutes", kmh = kmh))?;
    }
    if r.fallback_zones.is_empty() && r.fallback_schools.is_empty() {
        return writeln!(w, "\n{}", tr!(l, "distance.no_fallback"));
    }
    writeln!(w, "\n{}", tr!(l, "distance.fallback_head"))?;
    let places = [
        (tr!(l, "distance.place_zone"), &r.fallback_zones),
        (tr!(l, "distance.place_school"), &r.fallback_schools),
    ];
    for (place, list) in places {
        for f in list.iter() {
            let reason = match f.stage {
                Some(stage) => tr!(
                    l,
                    "distance.reason_cut",
                    stage = tr!(l, &format!("stage.{stage}"))
                ),
                None => tr!(l, "distance.reason_no_road", m = r.snapped.max_snap_m),
            };
            writeln!(
                w,
                "- {}",
                tr!(
                    l,
                    "distance.fallback",
                    place = place,
                    id = md(&f.id),
                    reason = reason,
                    detour = format!("{:.2}", f.detour)
                )
            )?;
        }
    }
    Ok(())
}
