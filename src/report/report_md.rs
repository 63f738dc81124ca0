//! `report.md`: the plan's figures for a person, one function per section,
//! in the language of the run.

use std::io::{Result, Write};

use crate::i18n::Lang;
use crate::model::{Region, Stage};
use crate::plan::{Plan, UtilizationFigures, ZonePlan};
use crate::policy::Policy;
use crate::tr;

use super::markdown::md;
use super::summary::{InputWarning, StageSummary, Summary};

/// What every section reads.
pub struct Doc<'a> {
    pub region: &'a Region,
    pub policy: &'a Policy,
    pub plan: &'a Plan,
    pub summary: &'a Summary,
    pub lang: Lang,
    /// Why the PNG maps have no labels, when they have none.
    pub map_note: Option<String>,
}

pub fn write(w: &mut dyn Write, d: &Doc) -> Result<()> {
    title(w, d)?;
    stage_table(w, d)?;
    totals(w, d)?;
    super::distance::section(
        w,
        d.lang,
        &d.summary.distance,
        d.region.zones.len(),
        d.region.schools.len(),
    )?;
    moved(w, d)?;
    seats_fallback(w, d)?;
    input_warnings(w, d)?;
    map_note(w, d)?;
    balance(w, d)?;
    utilization(w, d)?;
    migrants(w, d)?;
    special(w, d)?;
    feeders(w, d)?;
    split_communities(w, d)?;
    checks(w, d)?;
    for stage in Stage::ALL {
        unplaced(w, d, stage)?;
    }
    fullest(w, d)
}

/// A gap as a percentage; a bound of 0 gives no ratio.
pub fn percent(lang: Lang, gap: Option<f64>) -> String {
    gap.map_or(tr!(lang, "report.gap_none").into(), |g| {
        format!("{:.3} %", g * 100.0)
    })
}

fn met(lang: Lang, met: bool) -> &'static str {
    if met {
        tr!(lang, "report.met")
    } else {
        tr!(lang, "report.not_met")
    }
}

fn pct1(x: f64) -> String {
    format!("{:.1} %", x * 100.0)
}

fn title(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let (s, p, l) = (d.summary, d.policy, d.lang);
    writeln!(
        w,
        "# {}",
        tr!(l, "report.title", scenario = md(&s.scenario))
    )?;
    writeln!(w)?;
    writeln!(
        w,
        "{}",
        tr!(
            l,
            "report.intro",
            zones = l.count(s.zones as u64),
            schools = l.count(s.schools as u64),
            primary = p.primary.class_limit,
            junior = p.junior.class_limit,
            school = p.school_limit,
            nine = p.nine_year_school_limit
        )
    )?;
    writeln!(w)
}

/// The figures of both stages side by side.
fn stage_table(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let (s, l) = (d.summary, d.lang);
    writeln!(
        w,
        "| | {} | {} |",
        tr!(l, "report.col_primary"),
        tr!(l, "report.col_junior")
    )?;
    writeln!(w, "|---|---:|---:|")?;
    type Cell<'c> = &'c dyn Fn(&StageSummary) -> String;
    let count = |n: u64| l.count(n);
    // Which unit the objective counts (`objective_unit`).
    let objective_label = match s.total.minutes {
        Some(_) => "report.objective_min",
        None => "report.objective",
    };
    let rows: [(&str, Cell); 15] = [
        ("report.children", &|x| count(x.children)),
        ("report.placed", &|x| count(x.placed)),
        ("report.unplaced_bound", &|x| {
            format!("{} ({})", count(x.unplaced), count(x.unplaced_bound))
        }),
        ("report.migrants_placed", &|x| {
            tr!(
                l,
                "report.n_of_m",
                n = count(x.migrant_placed),
                m = count(x.migrant_children)
            )
        }),
        ("report.migrants_public_purchased", &|x| {
            format!(
                "{} / {}",
                count(x.migrants.total.public),
                count(x.migrants.total.purchased)
            )
        }),
        ("report.migrant_share", &|x| match x.migrants.total.share {
            Some(share) => format!(
                "{:.1} % ({:.0} %) {}",
                share * 100.0,
                x.migrants.total.target * 100.0,
                met(l, x.migrants.total.met)
            ),
            None => tr!(l, "report.no_migrants").into(),
        }),
        ("report.schools_with_intake", &|x| count(x.schools as u64)),
        ("report.classes_opened", &|x| count(x.classes)),
        ("report.largest_class", &|x| x.largest_class.to_string()),
        (objective_label, &|x| match x.minutes {
            Some(m) => format!("{:.1}", m.objective_min),
            None => format!("{:.1}", x.objective_km),
        }),
        ("report.bound", &|x| match x.minutes {
            Some(m) => format!("{:.1}", m.bound_min),
            None => format!("{:.1}", x.bound_km),
        }),
        ("report.gap", &|x| percent(l, x.gap)),
        ("report.mean_max_km", &|x| {
            format!("{:.2} / {:.2}", x.mean_km, x.max_km)
        }),
        ("report.violations", &|x| x.violations.to_string()),
        (
            "report.compactness",
            &|x| match (x.compactness_mean, x.compactness_min) {
                (Some(m), Some(least)) => format!("{m:.2} / {least:.2}"),
                _ => tr!(l, "report.na").into(),
            },
        ),
    ];
    for (label, f) in rows {
        writeln!(
            w,
            "| {} | {} | {} |",
            l.text(label),
            f(&s.stages.primary),
            f(&s.stages.junior)
        )?;
    }
    writeln!(w)
}

/// Both stages together, and how the solver got there.
fn totals(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let (s, l) = (d.summary, d.lang);
    writeln!(
        w,
        "{}",
        match s.total.minutes {
            Some(m) => tr!(
                l,
                "report.both_stages_min",
                objective = format!("{:.1}", m.objective_min),
                bound = format!("{:.1}", m.bound_min),
                gap = percent(l, s.total.gap)
            ),
            None => tr!(
                l,
                "report.both_stages",
                objective = format!("{:.1}", s.total.objective_km),
                bound = format!("{:.1}", s.total.bound_km),
                gap = percent(l, s.total.gap)
            ),
        }
    )?;
    writeln!(w)?;
    writeln!(
        w,
        "{}",
        tr!(
            l,
            "report.solver",
            backend = s.solver.backend,
            candidates = s.solver.candidates,
            parts = s.solver.parts,
            widened = s.solver.widened_units,
            rounds = s.solver.widening_rounds,
            split = s.solver.split_units
        )
    )?;
    writeln!(w)?;
    if let Some(cap) = &s.moved_cap {
        let outcome = if cap.met {
            tr!(l, "report.met")
        } else {
            tr!(l, "report.moved_cap_not_met")
        };
        writeln!(
            w,
            "{}",
            tr!(
                l,
                "report.moved_cap",
                cap = cap.max_moved,
                outcome = outcome,
                primary = l.count(s.stages.primary.moved),
                junior = l.count(s.stages.junior.moved),
                weight = format!("{:.3}", cap.stability_km),
                plans = cap.plans_tried
            )
        )?;
        writeln!(w)?;
    }
    Ok(())
}

/// Children placed at another school than today's, per stage where the
/// zones give today's school (`current_*`) and no moved-children cap
/// already says it.
fn moved(w: &mut dyn Write, d: &Doc) -> Result<()> {
    if d.summary.moved_cap.is_some() {
        return Ok(());
    }
    let l = d.lang;
    let mut any = false;
    for stage in Stage::ALL {
        let known = d
            .region
            .zones
            .iter()
            .any(|z| z.current[stage.index()].is_some());
        if !known {
            continue;
        }
        let x = d.summary.stage(stage);
        writeln!(
            w,
            "{}",
            tr!(
                l,
                "report.moved",
                stage = l.stage(stage),
                moved = l.count(x.moved),
                children = l.count(x.children)
            )
        )?;
        any = true;
    }
    if any {
        writeln!(w)?;
    }
    Ok(())
}

/// Public schools that give neither classes nor a seat cap for a stage
/// they teach: their seats fall back to the school limit.
pub fn seats_fallback_schools<'r>(
    region: &'r Region,
    policy: &Policy,
    stage: Stage,
) -> Vec<&'r crate::model::School> {
    region
        .schools
        .iter()
        .filter(|s| s.takes_catchment(stage) && policy.seats(s).stage[stage.index()].is_none())
        .collect()
}

/// The warning of [`seats_fallback_schools`], one line per stage, as shown
/// on stderr and in report.md; empty when every school gives its seats.
pub fn seats_fallback_lines(region: &Region, policy: &Policy, lang: Lang) -> Vec<String> {
    Stage::ALL
        .iter()
        .filter_map(|&stage| {
            let schools = seats_fallback_schools(region, policy, stage);
            if schools.is_empty() {
                return None;
            }
            const SHOWN: usize = 20;
            let mut names: Vec<String> = schools
                .iter()
                .take(SHOWN)
                .map(|s| format!("{} {}", s.id, md(&s.name)))
                .collect();
            if schools.len() > SHOWN {
                names.push(tr!(lang, "report.and_more", n = schools.len() - SHOWN));
            }
            Some(tr!(
                lang,
                "report.seats_fallback",
                stage = lang.stage(stage),
                key = stage.key(),
                n = schools.len(),
                limit = policy.school_limit,
                schools = names.join(tr!(lang, "report.list_separator"))
            ))
        })
        .collect()
}

fn seats_fallback(w: &mut dyn Write, d: &Doc) -> Result<()> {
    for line in seats_fallback_lines(d.region, d.policy, d.lang) {
        writeln!(w, "**{}** {line}", tr!(d.lang, "report.warning"))?;
        writeln!(w)?;
    }
    Ok(())
}

/// The summary's warnings about the input maps.
fn input_warnings(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let outside: Vec<_> = d
        .summary
        .warnings
        .iter()
        .map(|InputWarning::OutsideChina(o)| o.clone())
        .collect();
    super::outside_china::section(w, &outside, d.lang)
}

fn map_note(w: &mut dyn Write, d: &Doc) -> Result<()> {
    if let Some(note) = &d.map_note {
        writeln!(w, "**{}** {note}", tr!(d.lang, "report.warning"))?;
        writeln!(w)?;
    }
    Ok(())
}

/// The seven 优质均衡 indicators' coefficients of variation.
fn balance(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let (s, l) = (d.summary, d.lang);
    writeln!(w, "## {}", tr!(l, "balance.heading"))?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "balance.intro"))?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "balance.table_head"))?;
    writeln!(w, "|---|---:|---:|")?;
    for i in 1..=7 {
        let cell = |m: &serde_json::Map<String, serde_json::Value>| match &m[&format!("R{i}")] {
            serde_json::Value::Null => tr!(l, "balance.no_data").to_string(),
            v => format!(
                "{:.3} ({}) {}",
                v["cv"].as_f64().unwrap_or(0.0),
                v["limit"],
                if v["pass"] == true {
                    tr!(l, "balance.pass")
                } else {
                    tr!(l, "balance.fail")
                }
            ),
        };
        writeln!(
            w,
            "| {} | {} | {} |",
            l.text(&format!("balance.r{i}")),
            cell(&s.balance.primary),
            cell(&s.balance.junior)
        )?;
    }
    writeln!(w)
}

/// One cell of a utilization row, from a plan's figures.
type UtilCell<'a> = &'a dyn Fn(&UtilizationFigures) -> String;

/// How evenly the schools' seats are used; with the balance objective, set
/// beside the distance-only plan so that its price in travel shows.
fn utilization(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let (u, l) = (&d.summary.utilization, d.lang);
    writeln!(w, "## {}", tr!(l, "utilization.heading"))?;
    writeln!(w)?;
    let both = u.primary.distance_only.is_some();
    match u.balance_km {
        Some(km) => writeln!(
            w,
            "{}",
            tr!(
                l,
                "utilization.balance",
                km = km,
                beside = if both {
                    tr!(l, "utilization.beside")
                } else {
                    tr!(l, "utilization.no_companion")
                }
            )
        )?,
        None => writeln!(w, "{}", tr!(l, "utilization.distance"))?,
    }
    writeln!(w)?;
    let gap = format!("{:.0}", u.uneven_pair_gap * 100.0);
    let rows: [(&str, UtilCell); 7] = [
        ("utilization.travel", &|f| {
            format!("{:.1} ({})", f.travel_km, percent(l, f.gap))
        }),
        ("utilization.mean_max_km", &|f| {
            format!("{:.2} / {:.2}", f.mean_km, f.max_km)
        }),
        ("utilization.spread", &|f| {
            tr!(
                l,
                "utilization.points",
                points = format!("{:.1}", f.spread * 100.0)
            )
        }),
        ("utilization.cv", &|f| format!("{:.3}", f.cv)),
        ("utilization.max_min", &|f| {
            format!("{} / {}", pct1(f.max), pct1(f.min))
        }),
        ("utilization.uneven_pairs", &|f| {
            tr!(l, "report.n_of_m", n = f.uneven_pairs, m = f.pairs)
        }),
        ("utilization.schools", &|f| f.schools.to_string()),
    ];
    if both {
        writeln!(w, "{}", tr!(l, "utilization.head_both"))?;
        writeln!(w, "|---|---:|---:|---:|---:|")?;
    } else {
        writeln!(
            w,
            "| | {} | {} |",
            tr!(l, "report.col_primary"),
            tr!(l, "report.col_junior")
        )?;
        writeln!(w, "|---|---:|---:|")?;
    }
    for (label, f) in rows {
        let mut cells = Vec::new();
        for stage in Stage::ALL {
            let st = u.stage(stage);
            cells.push(f(&st.plan));
            if both {
                cells.push(st.distance_only.as_ref().map_or("-".into(), f));
            }
        }
        let label = tr!(l, label, gap = gap);
        writeln!(w, "| {label} | {} |", cells.join(" | "))?;
    }
    writeln!(w)
}

/// 随迁子女: where they went, per county, against the target.
fn migrants(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let (s, l) = (d.summary, d.lang);
    writeln!(w, "## {}", tr!(l, "migrants.heading"))?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "migrants.intro"))?;
    if s.migrant_lists.is_some() {
        writeln!(w)?;
        writeln!(w, "{}", tr!(l, "migrants.separate"))?;
    }
    for stage in Stage::ALL {
        migrants_of_stage(w, d, stage)?;
    }
    writeln!(w)
}

fn migrants_of_stage(w: &mut dyn Write, d: &Doc, stage: Stage) -> Result<()> {
    let (s, l) = (d.summary, d.lang);
    let m = &s.stage(stage).migrants;
    if m.total.children == 0 {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(w, "{}:", stage_label(l, stage))?;
    writeln!(w)?;
    county_table(w, l, "migrants.table_head", &m.counties, &m.total, |f| {
        [
            l.count(f.children),
            l.count(f.public),
            l.count(f.purchased),
            l.count(f.unplaced),
            f.share.map_or("-".into(), pct1),
            format!("{:.0} % {}", f.target * 100.0, met(l, f.met)),
        ]
    })?;
    if let Some(lists) = &s.migrant_lists {
        let x = lists.stage(stage);
        writeln!(
            w,
            "\n{}",
            tr!(
                l,
                "migrants.lists",
                migrant_lists = x.migrant_lists,
                migrant_mean = format!("{:.1}", x.mean_zones_migrant_list),
                local_lists = x.local_lists,
                local_mean = format!("{:.1}", x.mean_zones_local_list),
                other = x.zones_with_other_school,
                objective = format!("{:.1}", x.objective_km),
                bound = format!("{:.1}", x.bound_km),
                gap = percent(l, x.gap)
            )
        )?;
    }
    if !m.schools_outside_band.is_empty() {
        writeln!(
            w,
            "\n{}",
            tr!(
                l,
                "migrants.outside_band",
                min = format!("{:.0}", d.policy.migrant_min_share * 100.0),
                max = format!("{:.0}", d.policy.migrant_max_share * 100.0),
                schools = m.schools_outside_band.join(", ")
            )
        )?;
    }
    Ok(())
}

/// How a stage is named before its table: the key in English, the Chinese
/// name in Chinese.
/// A table of six figures per county and for all counties together, the
/// layout the migrant and special-needs sections share.
fn county_table<F>(
    w: &mut dyn Write,
    l: Lang,
    head: &str,
    counties: &std::collections::BTreeMap<String, F>,
    total: &F,
    cells: impl Fn(&F) -> [String; 6],
) -> Result<()> {
    writeln!(w, "{}", l.text(head))?;
    writeln!(w, "|---|---:|---:|---:|---:|---:|---:|")?;
    let all = tr!(l, "report.all");
    let rows = counties
        .iter()
        .map(|(c, f)| (c.as_str(), f))
        .chain([(all, total)]);
    for (county, f) in rows {
        let name = if county.is_empty() {
            "-".into()
        } else {
            md(county)
        };
        writeln!(w, "| {name} | {} |", cells(f).join(" | "))?;
    }
    Ok(())
}

fn stage_label(lang: Lang, stage: Stage) -> &'static str {
    match lang {
        Lang::En => stage.key(),
        Lang::Zh => lang.stage(stage),
    }
}

/// 随班就读: children with disabilities, per county, against the target.
fn special(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let l = d.lang;
    writeln!(w, "## {}", tr!(l, "special.heading"))?;
    writeln!(w)?;
    let Some(special) = &d.summary.special else {
        writeln!(w, "{}", tr!(l, "special.none"))?;
        return writeln!(w);
    };
    let within = d
        .policy
        .special_max_km
        .map_or(String::new(), |km| tr!(l, "special.within", km = km));
    writeln!(
        w,
        "{}",
        tr!(
            l,
            "special.intro",
            within = within,
            target = format!("{:.0}", d.policy.special_target * 100.0)
        )
    )?;
    for stage in Stage::ALL {
        let sp = special.stage(stage);
        if sp.total.children == 0 {
            continue;
        }
        writeln!(w)?;
        writeln!(w, "{}:", stage_label(l, stage))?;
        writeln!(w)?;
        county_table(w, l, "special.table_head", &sp.counties, &sp.total, |f| {
            [
                l.count(f.children),
                l.count(f.resource_room),
                l.count(f.regular_class),
                l.count(f.unplaced),
                f.rate.map_or("-".into(), pct1),
                format!("{:.0} % {}", f.target * 100.0, met(l, f.pass)),
            ]
        })?;
    }
    writeln!(w)
}

/// 对口直升: how many primary catchments feed more than one junior school.
fn feeders(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let (f, l) = (&d.summary.feeders, d.lang);
    writeln!(w, "## {}", tr!(l, "feeders.heading"))?;
    writeln!(w)?;
    let how = if f.aligned {
        tr!(l, "feeders.aligned")
    } else {
        tr!(l, "feeders.free")
    };
    writeln!(
        w,
        "{}",
        tr!(
            l,
            "feeders.summary",
            catchments = f.primary_catchments,
            split = f.split_primary_catchments,
            how = how
        )
    )?;
    writeln!(w)
}

/// Communities (社区/村) `keep_communities_whole` could not keep whole,
/// with their schools and why: the bureau's list must say so.
fn split_communities(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let l = d.lang;
    let split = &d.summary.split_communities;
    if split.is_empty() {
        return Ok(());
    }
    writeln!(w, "## {}", tr!(l, "communities.heading"))?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "communities.intro", n = split.len()))?;
    writeln!(w)?;
    for c in split {
        let stage = if c.stage == Stage::Primary.key() {
            Stage::Primary
        } else {
            Stage::Junior
        };
        let reason = tr!(l, &format!("communities.{}", c.reason));
        writeln!(
            w,
            "- {}",
            tr!(
                l,
                "communities.line",
                community = md(&c.community),
                stage = stage_label(l, stage),
                zones = c.zones,
                children = l.count(c.children),
                schools = md(&c.schools.join(", ")),
                reason = reason
            )
        )?;
    }
    writeln!(w)
}

/// Conservation, contiguity, barriers and the hard limits, checked again.
fn checks(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let l = d.lang;
    writeln!(w, "## {}", tr!(l, "checks.heading"))?;
    writeln!(w)?;
    let holds = match d.plan.conservation(d.region) {
        Ok(()) => tr!(l, "checks.holds").to_string(),
        Err(e) => tr!(l, "checks.broken", error = e),
    };
    writeln!(w, "{}", tr!(l, "checks.conservation", holds = holds))?;
    for stage in Stage::ALL {
        contiguity(w, d, stage)?;
    }
    for stage in Stage::ALL {
        barriers(w, d, stage)?;
    }
    hard_limits(w, d)
}

fn contiguity(w: &mut dyn Write, d: &Doc, stage: Stage) -> Result<()> {
    let (l, region) = (d.lang, d.region);
    let c = &d.summary.stage(stage).contiguity;
    let stage_name = stage_label(l, stage);
    if !c.enforced {
        return writeln!(w, "{}", tr!(l, "checks.contiguity_off", stage = stage_name));
    }
    writeln!(
        w,
        "{}",
        tr!(
            l,
            "checks.contiguity",
            stage = stage_name,
            strays = c.strays_before,
            moved = c.zones_moved,
            pieces = c.catchments_in_pieces,
            certified = c.pieces_certified,
            local = c.pieces_certified_locally,
            kept = c.own_zones.kept,
            schools = c.own_zones.schools,
            locked = c.own_zones.locked,
            shared = c.own_zones.shared,
            not_fitting = c.own_zones.not_fitting
        )
    )?;
    for b in &d.plan.contiguity[stage.index()].broken {
        let ids: Vec<&str> = b
            .zones
            .iter()
            .take(10)
            .map(|&z| region.zones[z].id.as_str())
            .collect();
        writeln!(
            w,
            "- {} {}: {} ({}{}): {}",
            md(&region.schools[b.school].id),
            md(&region.schools[b.school].name),
            tr!(l, "checks.zones_apart", n = b.zones.len()),
            md(&ids.join(", ")),
            if b.zones.len() > 10 { ", …" } else { "" },
            super::reasons::apart(l, &b.reason, region)
        )?;
    }
    if let Some(local) = c.deep_join_may_join() {
        writeln!(w, "{}", tr!(l, "checks.deep_join_hint", local = local))?;
    }
    Ok(())
}

fn barriers(w: &mut dyn Write, d: &Doc, stage: Stage) -> Result<()> {
    let (l, region) = (d.lang, d.region);
    let crossings = &d.plan.crossings[stage.index()];
    if crossings.is_empty() {
        return Ok(());
    }
    writeln!(
        w,
        "{}",
        tr!(
            l,
            "checks.barriers",
            stage = stage_label(l, stage),
            children = l.count(d.summary.stage(stage).barrier_crossings),
            zones = crossings.len()
        )
    )?;
    for (z, school, barrier) in crossings.iter().take(50) {
        writeln!(
            w,
            "- {} {} -> {} {} {}",
            md(&region.zones[*z].id),
            md(&region.zones[*z].name),
            md(&region.schools[*school].id),
            md(&region.schools[*school].name),
            tr!(l, "checks.across", barrier = md(barrier))
        )?;
    }
    Ok(())
}

fn hard_limits(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let (s, l) = (d.summary, d.lang);
    if s.violations.is_empty() {
        writeln!(w, "{}", tr!(l, "checks.limits_hold"))?;
    } else {
        writeln!(w, "{}", tr!(l, "checks.limits_broken"))?;
        for v in &s.violations {
            writeln!(w, "- {} ({}): {}", md(&v.school_id), v.stage, v.problem)?;
        }
    }
    far_zones(w, d)?;
    pre_existing(w, d)
}

/// Zones beyond `max_trip_km` from every school of their county, planned
/// because `--allow-far` was given.
fn far_zones(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let (s, l) = (d.summary, d.lang);
    if s.far_zones.is_empty() {
        return Ok(());
    }
    let km = d.policy.max_trip_km.to_string();
    writeln!(w, "\n{}", tr!(l, "checks.far_zones", km = km))?;
    for f in &s.far_zones {
        let line = tr!(
            l,
            "checks.far_zone",
            zone = md(&f.zone_id),
            stage = f.stage,
            km = format!("{:.1}", f.km),
            school = md(&f.nearest_school)
        );
        writeln!(w, "- {line}")?;
    }
    Ok(())
}

/// Schools over a limit before the plan: not the plan's violations.
fn pre_existing(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let (s, l) = (d.summary, d.lang);
    if s.pre_existing_violations.is_empty() {
        return Ok(());
    }
    writeln!(w, "\n{}", tr!(l, "checks.pre_existing"))?;
    for p in &s.pre_existing_violations {
        writeln!(w, "- {}: {}", md(&p.school_id), p.problem)?;
    }
    Ok(())
}

/// The zones of a stage with children left without a seat, and why.
fn unplaced(w: &mut dyn Write, d: &Doc, stage: Stage) -> Result<()> {
    let (l, region) = (d.lang, d.region);
    let rows: Vec<(usize, &ZonePlan)> = d
        .plan
        .stage(stage)
        .zones
        .iter()
        .enumerate()
        .filter(|(_, zp)| zp.unplaced > 0)
        .collect();
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(w)?;
    writeln!(
        w,
        "## {}",
        tr!(
            l,
            "unplaced.heading",
            stage = stage_label(l, stage),
            zones = rows.len()
        )
    )?;
    writeln!(w)?;
    writeln!(w, "{}", tr!(l, "unplaced.table_head"))?;
    writeln!(w, "|---|---|---:|---|")?;
    const SHOWN: usize = 50;
    for (z, zp) in rows.iter().take(SHOWN) {
        let zone = &region.zones[*z];
        let reason = zp
            .reason
            .as_ref()
            .map_or(String::new(), |r| super::reasons::unplaced(l, r));
        writeln!(
            w,
            "| {} | {} | {} | {} |",
            md(&zone.id),
            md(&zone.name),
            l.count(zp.unplaced),
            md(&reason)
        )?;
    }
    if rows.len() > SHOWN {
        writeln!(w, "\n{}", tr!(l, "unplaced.more", n = rows.len() - SHOWN))?;
    }
    Ok(())
}

/// The ten fullest schools of each stage.
fn fullest(w: &mut dyn Write, d: &Doc) -> Result<()> {
    let l = d.lang;
    writeln!(w)?;
    writeln!(w, "## {}", tr!(l, "fullest.heading"))?;
    for stage in Stage::ALL {
        let mut figures = d.plan.school_figures(d.region, d.policy, stage);
        figures.retain(|f| f.seats > 0);
        figures.sort_by(|a, b| {
            b.utilization()
                .total_cmp(&a.utilization())
                .then(a.school.cmp(&b.school))
        });
        writeln!(w)?;
        writeln!(w, "{}:", stage_label(l, stage))?;
        writeln!(w)?;
        writeln!(w, "{}", tr!(l, "fullest.table_head"))?;
        writeln!(w, "|---|---:|---:|---:|---:|")?;
        for f in figures.iter().take(10) {
            let school = &d.region.schools[f.school];
            writeln!(
                w,
                "| {} {} | {} / {} | {} | {} | {} / {} |",
                md(&school.id),
                md(&school.name),
                l.count(f.intake),
                l.count(f.seats),
                f.classes.opened,
                f.classes.largest,
                l.count(f.school_total),
                l.count(f.school_limit)
            )?;
        }
    }
    Ok(())
}
