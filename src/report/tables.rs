//! The tables: per-school figures, the published catchment lists, and every
//! zone with children left without a seat.

use std::io::Write;

use crate::model::{Region, Stage};
use crate::plan::{Children, Plan, StagePlan};
use crate::policy::Policy;

use super::escape::{csv_cell, markdown_text};
use super::{RunInfo, bom};

/// A CSV writer that has already written the UTF-8 byte-order mark.
pub fn csv_writer(w: &mut dyn Write) -> std::io::Result<CsvOut<'_>> {
    bom(w)?;
    Ok(CsvOut(csv::Writer::from_writer(w)))
}

/// Every CSV document goes through this writer, so that no cell of any of
/// them opens as a formula in Excel ([`csv_cell`]).
pub struct CsvOut<'a>(csv::Writer<&'a mut dyn Write>);

impl CsvOut<'_> {
    pub fn write_record<I, T>(&mut self, record: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.0.write_record(
            record
                .into_iter()
                .map(|cell| csv_cell(cell.as_ref()).into_owned()),
        )
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A number with a fixed count of decimals, as every table prints them.
pub fn fixed(x: f64, digits: usize) -> String {
    format!("{x:.digits$}")
}

pub fn schools_csv(
    w: &mut dyn Write,
    region: &Region,
    policy: &Policy,
    plan: &Plan,
    compactness: &[std::collections::HashMap<usize, f64>; 2],
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record([
        "stage",
        "school_id",
        "school_name",
        "kind",
        "sector",
        "county",
        "intake",
        "local",
        "migrant",
        "classes_opened",
        "classes_available",
        "largest_class",
        "mean_class",
        "seats",
        "utilization",
        "continuing",
        "school_total",
        "school_limit",
        "zones",
        "mean_km",
        "max_km",
        "teachers_needed",
        "R1",
        "R2",
        "R3",
        "R4",
        "R5",
        "R6",
        "R7",
        "balance_pass",
        "moved",
        "polsby_popper",
        "migrant_share",
        "purchased",
        "purchased_seats",
        "special",
    ])?;
    for stage in Stage::ALL {
        for f in plan.school_figures(region, policy, stage) {
            let s = &region.schools[f.school];
            csv.write_record(
                [
                    stage.key().to_string(),
                    s.id.clone(),
                    s.name.clone(),
                    s.kind.key().to_string(),
                    s.sector.key().to_string(),
                    s.county.clone().unwrap_or_default(),
                    f.intake.to_string(),
                    f.local.to_string(),
                    f.migrant.to_string(),
                    f.classes.opened.to_string(),
                    f.classes_available.map_or(String::new(), |c| c.to_string()),
                    f.classes.largest.to_string(),
                    fixed(f.classes.mean(f.intake), 1),
                    f.seats.to_string(),
                    fixed(f.utilization(), 3),
                    f.continuing.to_string(),
                    f.school_total.to_string(),
                    f.school_limit.to_string(),
                    f.zones.to_string(),
                    fixed(f.mean_km, 3),
                    fixed(f.max_km, 3),
                    fixed(f.teachers, 1),
                ]
                .into_iter()
                .chain(
                    f.indicators
                        .iter()
                        .map(|v| v.map_or(String::new(), |x| fixed(x, 3))),
                )
                .chain([
                    f.balance_pass.map_or(String::new(), |p| p.to_string()),
                    f.moved.to_string(),
                    compactness[stage.index()]
                        .get(&f.school)
                        .map_or(String::new(), |pp| fixed(*pp, 3)),
                    f.migrant_share().map_or(String::new(), |x| fixed(x, 3)),
                    f.purchased.to_string(),
                    f.purchased_seats.to_string(),
                    f.special.to_string(),
                ]),
            )?;
        }
    }
    csv.flush()
}

/// Zones of each catchment of one pass, grouped by school in school order,
/// zones in input order.
fn catchment_members(region: &Region, sp: &StagePlan) -> Vec<(usize, Vec<usize>)> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); region.schools.len()];
    for (z, zp) in sp.zones.iter().enumerate() {
        if let Some(s) = zp.school {
            members[s as usize].push(z);
        }
    }
    members
        .into_iter()
        .enumerate()
        .filter(|(_, m)| !m.is_empty())
        .collect()
}

/// With separate migrant catchments, the column that says which list (local
/// or migrant) a row belongs to, after `stage`; none otherwise, so that a
/// plan of one list keeps its columns.
fn with_list<'a>(plan: &Plan, header: &[&'a str]) -> Vec<&'a str> {
    let mut h = header.to_vec();
    if plan.migrant.is_some() {
        h.insert(1, "list");
    }
    h
}

fn row_with_list(plan: &Plan, children: Children, mut row: Vec<String>) -> Vec<String> {
    if plan.migrant.is_some() {
        row.insert(1, children.key().to_string());
    }
    row
}

pub fn lists_csv(w: &mut dyn Write, region: &Region, plan: &Plan) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(with_list(
        plan,
        &[
            "stage",
            "school_id",
            "school_name",
            "zone_id",
            "zone_name",
            "children",
            "local",
            "migrant",
            "placed",
            "unplaced",
            "km",
        ],
    ))?;
    for stage in Stage::ALL {
        for (sp, which) in plan.passes(stage) {
            for (s, zones) in catchment_members(region, sp) {
                let school = &region.schools[s];
                for z in zones {
                    let zone = &region.zones[z];
                    let zp = &sp.zones[z];
                    let cohort = which.cohort(zone, stage);
                    csv.write_record(row_with_list(
                        plan,
                        which,
                        vec![
                            stage.key().to_string(),
                            school.id.clone(),
                            school.name.clone(),
                            zone.id.clone(),
                            zone.name.clone(),
                            cohort.total().to_string(),
                            cohort.local.to_string(),
                            cohort.migrant.to_string(),
                            zp.placed.to_string(),
                            zp.unplaced.to_string(),
                            zp.metres
                                .map_or(String::new(), |m| fixed(m as f64 / 1000.0, 3)),
                        ],
                    ))?;
                }
            }
        }
    }
    csv.flush()
}

/// The published document: per school, the compounds of its catchment
/// (对口小区名单), as a bureau prints it; with separate migrant catchments,
/// per school its local list (户籍) and its migrant list (随迁子女), as
/// Hangzhou publishes them.
pub fn lists_md(
    w: &mut dyn Write,
    region: &Region,
    plan: &Plan,
    info: &RunInfo,
) -> std::io::Result<()> {
    writeln!(
        w,
        "# 义务教育学校施教区（对口小区名单） — {}",
        info.scenario
    )?;
    writeln!(w)?;
    writeln!(
        w,
        "Catchment lists: the residential zones whose children each school admits. Zones with no entry-grade children this year are listed too: catchments cover the land."
    )?;
    if plan.migrant.is_some() {
        writeln!(w)?;
        writeln!(
            w,
            "Each school has two lists: the zones whose local children (户籍) it admits, and the zones whose migrant children (随迁子女) it admits, usually wider."
        )?;
    }
    let names = |zones: &[usize]| {
        zones
            .iter()
            .map(|&z| markdown_text(&region.zones[z].name))
            .collect::<Vec<_>>()
            .join("、")
    };
    for stage in Stage::ALL {
        writeln!(w)?;
        writeln!(w, "## {} ({})", stage.chinese(), stage.key())?;
        let Some(m) = &plan.migrant else {
            let sp = plan.stage(stage);
            for (s, zones) in catchment_members(region, sp) {
                let school = &region.schools[s];
                let children: u32 = zones.iter().map(|&z| sp.zones[z].placed).sum();
                writeln!(w)?;
                writeln!(
                    w,
                    "### {} ({}) — {} 个小区, {} 名新生",
                    markdown_text(&school.name),
                    markdown_text(&school.id),
                    zones.len(),
                    children
                )?;
                writeln!(w)?;
                writeln!(w, "{}", names(&zones))?;
            }
            continue;
        };
        let lists = [
            ("户籍 local", plan.stage(stage)),
            ("随迁子女 migrant", &m.stages[stage.index()]),
        ]
        .map(|(title, sp)| {
            let mut by_school: Vec<Option<Vec<usize>>> = vec![None; region.schools.len()];
            for (s, zones) in catchment_members(region, sp) {
                by_school[s] = Some(zones);
            }
            (title, sp, by_school)
        });
        for (s, school) in region.schools.iter().enumerate() {
            if lists.iter().all(|l| l.2[s].is_none()) {
                continue;
            }
            writeln!(w)?;
            writeln!(
                w,
                "### {} ({})",
                markdown_text(&school.name),
                markdown_text(&school.id)
            )?;
            for (title, sp, by_school) in &lists {
                let zones = by_school[s].as_deref().unwrap_or(&[]);
                let children: u32 = zones.iter().map(|&z| sp.zones[z].placed).sum();
                writeln!(w)?;
                writeln!(
                    w,
                    "**{title}** — {} 个小区, {} 名新生",
                    zones.len(),
                    children
                )?;
                writeln!(w)?;
                writeln!(
                    w,
                    "{}",
                    if zones.is_empty() {
                        "-".into()
                    } else {
                        names(zones)
                    }
                )?;
            }
        }
    }
    Ok(())
}

pub fn unplaced_csv(w: &mut dyn Write, region: &Region, plan: &Plan) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(with_list(
        plan,
        &[
            "stage",
            "zone_id",
            "zone_name",
            "county",
            "children",
            "placed",
            "unplaced",
            "catchment_school",
            "reason",
            "special",
        ],
    ))?;
    for stage in Stage::ALL {
        for (sp, which) in plan.passes(stage) {
            for (z, zp) in sp.zones.iter().enumerate() {
                if zp.unplaced == 0 {
                    continue;
                }
                let zone = &region.zones[z];
                let special =
                    crate::plan::special::zone_special_of(which.special(zone, stage), zp).unplaced;
                csv.write_record(row_with_list(
                    plan,
                    which,
                    vec![
                        stage.key().to_string(),
                        zone.id.clone(),
                        zone.name.clone(),
                        zone.county.clone().unwrap_or_default(),
                        which.cohort(zone, stage).total().to_string(),
                        zp.placed.to_string(),
                        zp.unplaced.to_string(),
                        zp.school
                            .map_or(String::new(), |s| region.schools[s as usize].id.clone()),
                        zp.reason.as_ref().map_or(String::new(), |r| r.to_string()),
                        special.to_string(),
                    ],
                ))?;
            }
        }
    }
    csv.flush()
}

/// Where each zone's migrant children went: their catchment school (with
/// separate migrant catchments, the zone's migrant school), seats the bureau
/// bought at private schools, or no seat (with the reason). One row per
/// zone, stage and destination.
pub fn migrant_placements_csv(
    w: &mut dyn Write,
    region: &Region,
    plan: &Plan,
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record([
        "stage",
        "zone_id",
        "zone_name",
        "county",
        "migrant_children",
        "placement",
        "school_id",
        "school_name",
        "children",
        "km",
        "reason",
    ])?;
    for stage in Stage::ALL {
        for z in 0..region.zones.len() {
            let (zp, which) = plan.migrant_zone(stage, z);
            let zone = &region.zones[z];
            let cohort = which.cohort(zone, stage);
            if cohort.migrant == 0 {
                continue;
            }
            let head = [
                stage.key().to_string(),
                zone.id.clone(),
                zone.name.clone(),
                zone.county.clone().unwrap_or_default(),
                cohort.migrant.to_string(),
            ];
            let (rooms, local_left) = crate::plan::special::split_resource_rooms(zp, cohort.local);
            let (_, public) = crate::plan::figures_split(zp.placed, local_left);
            let mut row =
                |kind: &str, school: Option<u32>, n: u32, km: Option<i64>, reason: String| {
                    let (id, name) = school.map_or((String::new(), String::new()), |s| {
                        let s = &region.schools[s as usize];
                        (s.id.clone(), s.name.clone())
                    });
                    csv.write_record(head.iter().cloned().chain([
                        kind.to_string(),
                        id,
                        name,
                        n.to_string(),
                        km.map_or(String::new(), |m| fixed(m as f64 / 1000.0, 3)),
                        reason,
                    ]))
                };
            if public > 0 {
                row(
                    "catchment school",
                    zp.school,
                    public,
                    zp.metres,
                    String::new(),
                )?;
            }
            for &(s, _, n) in rooms.iter().filter(|r| r.2 > 0) {
                let m = crate::plan::migrants::purchased_metres(region, z, s);
                row("resource room", Some(s), n, Some(m), String::new())?;
            }
            for &(s, n) in &zp.purchased {
                let m = crate::plan::migrants::purchased_metres(region, z, s);
                row("purchased seat", Some(s), n, Some(m), String::new())?;
            }
            let in_rooms: u32 = rooms.iter().map(|r| r.2).sum();
            let left = cohort.migrant - public - in_rooms - zp.in_purchased_seats();
            if left > 0 {
                let reason = zp.reason.as_ref().map_or(String::new(), |r| r.to_string());
                row("no seat", None, left, None, reason)?;
            }
        }
    }
    csv.flush()
}

/// The feeder table (对口直升): primary school -> junior school, with the
/// zones and children each pair covers.
pub fn feeders_csv(w: &mut dyn Write, region: &Region, plan: &Plan) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record([
        "primary_id",
        "primary_name",
        "junior_id",
        "junior_name",
        "zones",
        "primary_intake",
        "junior_children",
    ])?;
    let name = |s: Option<usize>| {
        s.map_or((String::new(), String::new()), |s| {
            (region.schools[s].id.clone(), region.schools[s].name.clone())
        })
    };
    for f in crate::plan::feeders::feeder_table(plan, region) {
        let (pid, pname) = name(f.primary);
        let (jid, jname) = name(f.junior);
        csv.write_record([
            pid,
            pname,
            jid,
            jname,
            f.zones.to_string(),
            f.primary_intake.to_string(),
            f.junior_children.to_string(),
        ])?;
    }
    csv.flush()
}

/// Where each zone's children with disabilities went: a resource room
/// (资源教室), a regular class (随班就读: the catchment school, or a
/// purchased seat), or no seat (with the zone's reason). One row per zone,
/// stage and destination; zones without special children have none.
pub fn special_placements_csv(
    w: &mut dyn Write,
    region: &Region,
    plan: &Plan,
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record([
        "stage",
        "zone_id",
        "zone_name",
        "county",
        "special_children",
        "placement",
        "school_id",
        "school_name",
        "children",
        "km",
        "reason",
    ])?;
    for stage in Stage::ALL {
        for z in 0..region.zones.len() {
            let zone = &region.zones[z];
            let children = crate::plan::special::special_children(zone, stage);
            if children == 0 {
                continue;
            }
            // One pass, or both (local then migrant) with separate migrant
            // catchments: the zone's special children over its places.
            for (sp, which) in plan.passes(stage) {
                let zp = &sp.zones[z];
                let places = crate::plan::special::zone_special_of(which.special(zone, stage), zp);
                let rows = places
                    .resource_room
                    .iter()
                    .map(|&(s, n)| ("resource room", Some(s), n))
                    .chain(
                        places
                            .regular_class
                            .iter()
                            .map(|&(s, n)| ("regular class", Some(s), n)),
                    )
                    .chain((places.unplaced > 0).then_some(("no seat", None, places.unplaced)));
                for (kind, school, n) in rows {
                    let (id, name, km) = match school {
                        Some(s) => {
                            let school = &region.schools[s as usize];
                            let m = crate::spatial::rounded_metres(zone.centroid, school.location);
                            (
                                school.id.clone(),
                                school.name.clone(),
                                fixed(m as f64 / 1000.0, 3),
                            )
                        }
                        None => (String::new(), String::new(), String::new()),
                    };
                    let reason = match school {
                        None => zp.reason.as_ref().map_or(String::new(), |r| r.to_string()),
                        Some(_) => String::new(),
                    };
                    csv.write_record([
                        stage.key().to_string(),
                        zone.id.clone(),
                        zone.name.clone(),
                        zone.county.clone().unwrap_or_default(),
                        children.to_string(),
                        kind.to_string(),
                        id,
                        name,
                        n.to_string(),
                        km,
                        reason,
                    ])?;
                }
            }
        }
    }
    csv.flush()
}
