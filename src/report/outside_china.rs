//! Features declared GCJ-02 or BD-09 that lie outside mainland China.
//!
//! Those systems equal WGS84 there, so the reader leaves such features
//! where they are; a compound list picked on Amap rarely lies abroad, so
//! they usually mean a wrong `crs` or swapped columns. The reader warns on
//! stderr while reading; the plan's documents (report.md, summary.json)
//! keep the warning beside the plan, where the bureau reads it later.
//!
//! The check runs on the region as planned: a feature outside the outline
//! was not moved by the reader, so it is outside in WGS84 too.

use std::io::Write;

use serde::Serialize;

use crate::i18n::Lang;
use crate::model::{Region, Shape};
use crate::run::InputCrs;
use crate::spatial::Crs;
use crate::spatial::crs::in_mainland_china;
use crate::tr;

use super::markdown::md;

/// Ids named in a warning; the count gives the rest.
pub const SHOWN: usize = 10;

/// One file's features outside mainland China although declared shifted.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OutsideChina {
    /// `zones` or `schools`.
    pub file: &'static str,
    pub crs: Crs,
    /// How many features lie outside.
    pub count: usize,
    /// The first [`SHOWN`] of their ids, in file order.
    pub ids: Vec<String>,
}

/// The zones and schools outside mainland China whose file is declared
/// GCJ-02 or BD-09; empty for WGS84 files.
pub fn outside_china(region: &Region, crs: InputCrs) -> Vec<OutsideChina> {
    let zones = region.zones.iter().filter(|z| match &z.shape {
        Shape::Point(p) => !in_mainland_china(p.x(), p.y()),
        Shape::Area(mp) => mp
            .iter()
            .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
            .flat_map(|ring| ring.coords())
            .any(|c| !in_mainland_china(c.x, c.y)),
    });
    let schools = region
        .schools
        .iter()
        .filter(|s| !in_mainland_china(s.location.x(), s.location.y()));
    let zones = found("zones", crs.zones, zones.map(|z| z.id.as_str()));
    let schools = found("schools", crs.schools, schools.map(|s| s.id.as_str()));
    zones.into_iter().chain(schools).collect()
}

fn found<'a>(
    file: &'static str,
    crs: Crs,
    ids: impl Iterator<Item = &'a str>,
) -> Option<OutsideChina> {
    if crs == Crs::Wgs84 {
        return None;
    }
    let mut count = 0;
    let mut shown = Vec::new();
    for id in ids {
        count += 1;
        if shown.len() < SHOWN {
            shown.push(id.to_string());
        }
    }
    (count > 0).then_some(OutsideChina {
        file,
        crs,
        count,
        ids: shown,
    })
}

/// The warning's sentence, as report.md shows it.
pub fn line(o: &OutsideChina, lang: Lang) -> String {
    let mut ids: Vec<String> = o.ids.iter().map(|id| md(id).into_owned()).collect();
    if o.count > o.ids.len() {
        ids.push(tr!(lang, "report.outside_more", n = o.count - o.ids.len()));
    }
    tr!(
        lang,
        "report.outside_china",
        file = o.file,
        crs = o.crs,
        n = lang.count(o.count as u64),
        ids = ids.join(tr!(lang, "report.list_separator"))
    )
}

/// report.md's warnings, one paragraph per file.
pub fn section(w: &mut dyn Write, warnings: &[OutsideChina], lang: Lang) -> std::io::Result<()> {
    for o in warnings {
        writeln!(w, "**{}** {}", tr!(lang, "report.warning"), line(o, lang))?;
        writeln!(w)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{School, SchoolKind, Zone};
    use geo::Point;

    #[test]
    fn only_features_abroad_in_a_shifted_file_are_named_with_the_count() {
        let mut region = Region::default();
        for (i, lon) in [120.1, 126.98, 127.0].into_iter().enumerate() {
            let (lat, id) = (if lon > 125.0 { 37.56 } else { 30.25 }, format!("Z{i}"));
            region.zones.push(Zone::at_point(
                &id,
                Point::new(lon, lat),
                Default::default(),
            ));
        }
        region.schools.push(School::public(
            "S1",
            SchoolKind::Primary,
            Point::new(120.2, 30.3),
        ));
        let gcj = InputCrs {
            zones: Crs::Gcj02,
            schools: Crs::Gcj02,
        };
        assert_eq!(
            outside_china(&region, gcj),
            vec![OutsideChina {
                file: "zones",
                crs: Crs::Gcj02,
                count: 2,
                ids: vec!["Z1".into(), "Z2".into()],
            }]
        );
        assert!(outside_china(&region, InputCrs::default()).is_empty());
        let text = line(&outside_china(&region, gcj)[0], Lang::En);
        assert!(text.contains("Z1, Z2") && text.contains("gcj02"), "{text}");
    }
}
