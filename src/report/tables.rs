//! The tables: per-school figures, the published catchment lists, and every
//! zone with children left without a seat.

use std::io::Write;

use crate::model::{Region, Stage};
use crate::plan::{Children, Plan, StagePlan};
use crate::policy::Policy;

use super::markdown::{md, not_formula};
use super::{RunInfo, bom, reasons};
use crate::i18n::Lang;
use crate::tr;

/// A CSV writer that has already written the UTF-8 byte-order mark.
pub fn csv_writer(w: &mut dyn Write) -> std::io::Result<csv::Writer<&mut dyn Write>> {
    bom(w)?;
    Ok(csv::Writer::from_writer(w))
}

/// Column headers in the document language (the English keys in `en`).
pub fn header(lang: Lang, keys: &[&str]) -> Vec<&'static str> {
    keys.iter()
        .map(|k| lang.text(&format!("csv.{k}")))
        .collect()
}

/// Column headers of a command's own CSV files: the shared `[csv]` text
/// where there is one, else the document's table (`[lottery_csv]`, …).
pub fn header_of(lang: Lang, table: &str, keys: &[&str]) -> Vec<&'static str> {
    keys.iter()
        .map(|k| {
            let shared = format!("csv.{k}");
            if lang.has(&shared) {
                lang.text(&shared)
            } else {
                lang.text(&format!("{table}.{k}"))
            }
        })
        .collect()
}

/// A name from the input as a CSV cell: never read as a formula.
fn text(name: &str) -> String {
    not_formula(name).into_owned()
}

/// A number with a fixed count of decimals, as every table prints them.
pub fn fixed(x: f64, digits: usize) -> String {
    format!("{x:.digits$}")
}

/// One cell of the per-school table, typed so that the workbook writes
/// numbers as numbers and the CSV as it always printed them.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Count(u64),
    /// A number printed with this many decimals.
    Number(f64, usize),
    /// A share (1.0 = 100 %), printed in CSV with three decimals.
    Share(f64),
    Flag(bool),
    Empty,
}

impl Cell {
    fn csv(&self) -> String {
        match self {
            Cell::Text(t) => text(t),
            Cell::Count(n) => n.to_string(),
            Cell::Number(x, digits) => fixed(*x, *digits),
            Cell::Share(x) => fixed(*x, 3),
            Cell::Flag(b) => b.to_string(),
            Cell::Empty => String::new(),
        }
    }
}

/// A yes/no cell: a boolean in English tables (as they always were), 是/否
/// as text in Chinese ones (Excel would show TRUE/FALSE).
fn flag(lang: Lang, b: bool) -> Cell {
    match lang {
        Lang::En => Cell::Flag(b),
        Lang::Zh => Cell::Text(
            lang.text(if b {
                "values.flag_true"
            } else {
                "values.flag_false"
            })
            .into(),
        ),
    }
}

/// The columns of schools.csv and schools.xlsx.
pub const SCHOOL_COLUMNS: [&str; 36] = [
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
];

/// One row per school and stage, with the figures behind it; words
/// (stage, kind, sector, pass) in `lang`.
pub fn school_rows(
    region: &Region,
    policy: &Policy,
    plan: &Plan,
    compactness: &[std::collections::HashMap<usize, f64>; 2],
    lang: Lang,
) -> Vec<(crate::plan::SchoolFigures, Vec<Cell>)> {
    let mut rows = Vec::new();
    for stage in Stage::ALL {
        for f in plan.school_figures(region, policy, stage) {
            let row = school_row(region, &f, compactness[stage.index()].get(&f.school), lang);
            rows.push((f, row));
        }
    }
    rows
}

fn school_row(
    region: &Region,
    f: &crate::plan::SchoolFigures,
    compactness: Option<&f64>,
    lang: Lang,
) -> Vec<Cell> {
    use Cell::*;
    let s = &region.schools[f.school];
    let count = |n: u32| Count(n.into());
    let mut row = vec![
        Text(lang.stage(f.stage).into()),
        Text(s.id.clone()),
        Text(s.name.clone()),
        Text(lang.school_kind(s.kind).into()),
        Text(lang.sector(s.sector).into()),
        Text(s.county.clone().unwrap_or_default()),
        count(f.intake),
        count(f.local),
        count(f.migrant),
        count(f.classes.opened),
        f.classes_available.map_or(Empty, count),
        count(f.classes.largest),
        Number(f.classes.mean(f.intake), 1),
        count(f.seats),
        Share(f.utilization()),
        count(f.continuing),
        count(f.school_total),
        count(f.school_limit),
        Count(f.zones as u64),
        Number(f.mean_km, 3),
        Number(f.max_km, 3),
        Number(f.teachers, 1),
    ];
    row.extend(
        f.indicators
            .iter()
            .map(|v| v.map_or(Empty, |x| Number(x, 3))),
    );
    row.extend([
        f.balance_pass.map_or(Empty, |b| flag(lang, b)),
        count(f.moved),
        compactness.map_or(Empty, |pp| Number(*pp, 3)),
        f.migrant_share().map_or(Empty, Share),
        count(f.purchased),
        count(f.purchased_seats),
        count(f.special),
    ]);
    row
}

pub fn schools_csv(
    w: &mut dyn Write,
    lang: Lang,
    rows: &[(crate::plan::SchoolFigures, Vec<Cell>)],
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header(lang, &SCHOOL_COLUMNS))?;
    for (_, row) in rows {
        csv.write_record(row.iter().map(Cell::csv))?;
    }
    csv.flush()
}

/// Zones of each catchment of one pass, grouped by school in school order,
/// zones in input order.
pub(super) fn catchment_members(region: &Region, sp: &StagePlan) -> Vec<(usize, Vec<usize>)> {
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

/// Each zone's `community` (社区/居委/村), looked up once per document:
/// the lists group every school's compounds by it, stage after stage, and
/// a zone's properties are a map slow to ask 20,000 times over. Each
/// distinct name is numbered, so that grouping compares numbers.
pub struct Communities<'r>(Option<Named<'r>>);

struct Named<'r> {
    /// Each zone's community, as an index into `names`.
    of_zone: Vec<Option<u32>>,
    names: Vec<&'r str>,
}

impl<'r> Communities<'r> {
    pub fn of(region: &'r Region) -> Self {
        let mut numbers: std::collections::HashMap<&str, u32> = Default::default();
        let mut names = Vec::new();
        let of_zone: Vec<Option<u32>> = region
            .zones
            .iter()
            .map(|z| {
                let name = z
                    .properties
                    .get("community")
                    .and_then(|v| v.as_str())
                    .filter(|c| !c.trim().is_empty())?;
                Some(*numbers.entry(name).or_insert_with(|| {
                    names.push(name);
                    (names.len() - 1) as u32
                }))
            })
            .collect();
        Communities((!names.is_empty()).then_some(Named { of_zone, names }))
    }

    /// Whether any zone carries one: the catchment lists are then grouped
    /// school -> community -> compound, as the bureau publishes them, and
    /// otherwise keep their plain columns.
    pub(super) fn grouped(&self) -> bool {
        self.0.is_some()
    }

    /// The zones of a catchment by community, communities in the order
    /// their first zone comes; zones without one last, as `None`.
    pub(super) fn group(&self, zones: &[usize]) -> Vec<(Option<&'r str>, Vec<usize>)> {
        let Some(named) = &self.0 else {
            return vec![(None, zones.to_vec())];
        };
        let mut groups: Vec<(Option<u32>, Vec<usize>)> = Vec::new();
        for &z in zones {
            let community = named.of_zone[z];
            match groups.iter_mut().find(|g| g.0 == community) {
                Some(g) => g.1.push(z),
                None => groups.push((community, vec![z])),
            }
        }
        groups.sort_by_key(|g| g.0.is_none());
        groups
            .into_iter()
            .map(|(c, zones)| (c.map(|c| named.names[c as usize]), zones))
            .collect()
    }
}

/// With separate migrant catchments, the column that says which list (local
/// or migrant) a row belongs to, after `stage`; none otherwise, so that a
/// plan of one list keeps its columns.
fn with_list(plan: &Plan, lang: Lang, keys: &[&str]) -> Vec<&'static str> {
    let mut h = header(lang, keys);
    if plan.migrant.is_some() {
        h.insert(1, lang.text("csv.list"));
    }
    h
}

fn row_with_list(plan: &Plan, lang: Lang, children: Children, mut row: Vec<String>) -> Vec<String> {
    if plan.migrant.is_some() {
        row.insert(
            1,
            lang.text(&format!("values.list_{}", children.key())).into(),
        );
    }
    row
}

pub fn lists_csv(
    w: &mut dyn Write,
    lang: Lang,
    region: &Region,
    plan: &Plan,
    communities: &Communities,
) -> std::io::Result<()> {
    let grouped = communities.grouped();
    let mut keys = vec!["stage", "school_id", "school_name"];
    if grouped {
        keys.push("community");
    }
    keys.extend([
        "zone_id",
        "zone_name",
        "children",
        "local",
        "migrant",
        "placed",
        "unplaced",
        "km",
    ]);
    let mut csv = csv_writer(w)?;
    csv.write_record(with_list(plan, lang, &keys))?;
    for stage in Stage::ALL {
        for (sp, which) in plan.passes(stage) {
            for (s, zones) in catchment_members(region, sp) {
                let school = &region.schools[s];
                for (community, members) in communities.group(&zones) {
                    for z in members {
                        let zone = &region.zones[z];
                        let zp = &sp.zones[z];
                        let cohort = which.cohort(zone, stage);
                        let mut row = vec![
                            lang.stage(stage).to_string(),
                            school.id.clone(),
                            text(&school.name),
                        ];
                        if grouped {
                            row.push(text(community.unwrap_or("")));
                        }
                        row.extend([
                            zone.id.clone(),
                            text(&zone.name),
                            cohort.total().to_string(),
                            cohort.local.to_string(),
                            cohort.migrant.to_string(),
                            zp.placed.to_string(),
                            zp.unplaced.to_string(),
                            zp.road_metres(region, z)
                                .map_or(String::new(), |m| fixed(m as f64 / 1000.0, 3)),
                        ]);
                        csv.write_record(row_with_list(plan, lang, which, row))?;
                    }
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
    communities: &Communities,
    info: &RunInfo,
) -> std::io::Result<()> {
    let l = info.lang;
    let list = ListMd {
        region,
        communities,
        l,
    };
    writeln!(
        w,
        "# {}",
        tr!(l, "lists.title", scenario = md(info.scenario))
    )?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "lists.intro"))?;
    if plan.migrant.is_some() {
        writeln!(w)?;
        writeln!(w, "{}", tr!(l, "lists.two_lists"))?;
    }
    for stage in Stage::ALL {
        writeln!(w)?;
        writeln!(
            w,
            "## {}",
            tr!(
                l,
                "lists.stage",
                chinese = stage.chinese(),
                key = stage.key()
            )
        )?;
        match &plan.migrant {
            None => list.one(w, plan.stage(stage))?,
            Some(m) => list.two(w, [plan.stage(stage), &m.stages[stage.index()]])?,
        }
    }
    Ok(())
}

/// The compounds of a list, as published: names joined by 、.
fn names_md(region: &Region, zones: &[usize]) -> String {
    zones
        .iter()
        .map(|&z| md(&region.zones[z].name))
        .collect::<Vec<_>>()
        .join("、")
}

/// What the lists document needs to write a school's compounds.
struct ListMd<'a> {
    region: &'a Region,
    communities: &'a Communities<'a>,
    l: Lang,
}

impl ListMd<'_> {
    /// The compounds of a catchment: one line of names, or where zones
    /// carry a `community`, one line per community (school -> community
    /// -> compound), compounds without one last.
    fn catchment(&self, zones: &[usize]) -> String {
        let (region, l) = (self.region, self.l);
        if !self.communities.grouped() {
            return names_md(region, zones);
        }
        self.communities
            .group(zones)
            .into_iter()
            .map(|(community, members)| {
                let community = match community {
                    Some(c) => md(c).into_owned(),
                    None => tr!(l, "lists.no_community").to_string(),
                };
                tr!(
                    l,
                    "lists.community",
                    community = community,
                    zones = l.count(members.len() as u64),
                    names = names_md(region, &members)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Per school, the compounds whose children it admits.
    fn one(&self, w: &mut dyn Write, sp: &StagePlan) -> std::io::Result<()> {
        let (region, l) = (self.region, self.l);
        for (s, zones) in catchment_members(region, sp) {
            let school = &region.schools[s];
            let children: u32 = zones.iter().map(|&z| sp.zones[z].placed).sum();
            writeln!(w)?;
            writeln!(
                w,
                "### {}",
                tr!(
                    l,
                    "lists.school",
                    name = md(&school.name),
                    id = md(&school.id),
                    zones = l.count(zones.len() as u64),
                    children = l.count(children)
                )
            )?;
            writeln!(w)?;
            writeln!(w, "{}", self.catchment(&zones))?;
        }
        Ok(())
    }

    /// Per school, its local list (户籍) and its migrant list (随迁子女).
    fn two(&self, w: &mut dyn Write, passes: [&StagePlan; 2]) -> std::io::Result<()> {
        let (region, l) = (self.region, self.l);
        let lists = [
            (tr!(l, "lists.local"), passes[0]),
            (tr!(l, "lists.migrant"), passes[1]),
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
                "### {}",
                tr!(
                    l,
                    "lists.school_two",
                    name = md(&school.name),
                    id = md(&school.id)
                )
            )?;
            for (title, sp, by_school) in &lists {
                let zones = by_school[s].as_deref().unwrap_or(&[]);
                let children: u32 = zones.iter().map(|&z| sp.zones[z].placed).sum();
                writeln!(w)?;
                writeln!(
                    w,
                    "{}",
                    tr!(
                        l,
                        "lists.list",
                        title = title,
                        zones = l.count(zones.len() as u64),
                        children = l.count(children)
                    )
                )?;
                writeln!(w)?;
                writeln!(
                    w,
                    "{}",
                    if zones.is_empty() {
                        "-".into()
                    } else {
                        self.catchment(zones)
                    }
                )?;
            }
        }
        Ok(())
    }
}

pub fn unplaced_csv(
    w: &mut dyn Write,
    lang: Lang,
    region: &Region,
    plan: &Plan,
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(with_list(
        plan,
        lang,
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
                    lang,
                    which,
                    vec![
                        lang.stage(stage).to_string(),
                        zone.id.clone(),
                        text(&zone.name),
                        text(zone.county.as_deref().unwrap_or_default()),
                        which.cohort(zone, stage).total().to_string(),
                        zp.placed.to_string(),
                        zp.unplaced.to_string(),
                        zp.school
                            .map_or(String::new(), |s| region.schools[s as usize].id.clone()),
                        zp.reason
                            .as_ref()
                            .map_or(String::new(), |r| reasons::unplaced(lang, r)),
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
    lang: Lang,
    region: &Region,
    plan: &Plan,
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header(
        lang,
        &[
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
        ],
    ))?;
    for stage in Stage::ALL {
        for z in 0..region.zones.len() {
            let (zp, which) = plan.migrant_zone(stage, z);
            let zone = &region.zones[z];
            let cohort = which.cohort(zone, stage);
            if cohort.migrant == 0 {
                continue;
            }
            let head = [
                lang.stage(stage).to_string(),
                zone.id.clone(),
                text(&zone.name),
                text(zone.county.as_deref().unwrap_or_default()),
                cohort.migrant.to_string(),
            ];
            let (rooms, local_left) = crate::plan::special::split_resource_rooms(zp, cohort.local);
            let (_, public) = crate::policy::split_placed(zp.placed, local_left);
            let mut row =
                |kind: &str, school: Option<u32>, n: u32, km: Option<i64>, reason: String| {
                    let (id, name) = school.map_or((String::new(), String::new()), |s| {
                        let s = &region.schools[s as usize];
                        (s.id.clone(), text(&s.name))
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
                    tr!(lang, "reasons.catchment_school"),
                    zp.school,
                    public,
                    zp.road_metres(region, z),
                    String::new(),
                )?;
            }
            for &(s, _, n) in rooms.iter().filter(|r| r.2 > 0) {
                let m = crate::plan::passes::purchased_seats::purchased_metres(region, z, s);
                row(
                    tr!(lang, "reasons.resource_room"),
                    Some(s),
                    n,
                    Some(m),
                    String::new(),
                )?;
            }
            for &(s, n) in &zp.purchased {
                let m = crate::plan::passes::purchased_seats::purchased_metres(region, z, s);
                row(
                    tr!(lang, "reasons.purchased_seat"),
                    Some(s),
                    n,
                    Some(m),
                    String::new(),
                )?;
            }
            let in_rooms: u32 = rooms.iter().map(|r| r.2).sum();
            let left = cohort.migrant - public - in_rooms - zp.in_purchased_seats();
            if left > 0 {
                let reason = zp
                    .reason
                    .as_ref()
                    .map_or(String::new(), |r| reasons::unplaced(lang, r));
                row(tr!(lang, "reasons.no_seat"), None, left, None, reason)?;
            }
        }
    }
    csv.flush()
}

/// The feeder table (对口直升): primary school -> junior school, with the
/// zones and children each pair covers.
pub fn feeders_csv(
    w: &mut dyn Write,
    lang: Lang,
    region: &Region,
    plan: &Plan,
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header(
        lang,
        &[
            "primary_id",
            "primary_name",
            "junior_id",
            "junior_name",
            "zones",
            "primary_intake",
            "junior_children",
        ],
    ))?;
    let name = |s: Option<usize>| {
        s.map_or((String::new(), String::new()), |s| {
            (region.schools[s].id.clone(), text(&region.schools[s].name))
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
    lang: Lang,
    region: &Region,
    plan: &Plan,
) -> std::io::Result<()> {
    let mut csv = csv_writer(w)?;
    csv.write_record(header(
        lang,
        &[
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
        ],
    ))?;
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
                    .map(|&(s, n)| ("reasons.resource_room", Some(s), n))
                    .chain(
                        places
                            .regular_class
                            .iter()
                            .map(|&(s, n)| ("reasons.regular_class", Some(s), n)),
                    )
                    .chain((places.unplaced > 0).then_some((
                        "reasons.no_seat",
                        None,
                        places.unplaced,
                    )));
                for (kind, school, n) in rows {
                    let (id, name, km) = match school {
                        Some(s) => {
                            let school = &region.schools[s as usize];
                            let m = region.distances.length(zone.centroid, school.location);
                            (
                                school.id.clone(),
                                text(&school.name),
                                fixed(m as f64 / 1000.0, 3),
                            )
                        }
                        None => (String::new(), String::new(), String::new()),
                    };
                    let reason = match school {
                        None => zp
                            .reason
                            .as_ref()
                            .map_or(String::new(), |r| reasons::unplaced(lang, r)),
                        Some(_) => String::new(),
                    };
                    csv.write_record([
                        lang.stage(stage).to_string(),
                        zone.id.clone(),
                        text(&zone.name),
                        text(zone.county.as_deref().unwrap_or_default()),
                        children.to_string(),
                        lang.text(kind).to_string(),
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
