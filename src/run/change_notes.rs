//! What each scenario change did, kept as facts and worded only when a
//! document is written: compare's Markdown and HTML show it in the
//! comparison's language, while summary.json keeps the English line that
//! machines and earlier comparisons read.

use std::path::PathBuf;

use serde::{Serialize, Serializer};

use crate::i18n::Lang;
use crate::model::{SchoolKind, Sector, Stage};
use crate::tr;

/// One change applied to the maps, with the figures its line gives.
#[derive(Clone, Debug, PartialEq)]
pub enum ChangeNote {
    /// `[[add_school]]`.
    Opened {
        id: String,
        name: String,
        kind: SchoolKind,
        sector: Sector,
        figures: SchoolFigures,
    },
    /// `[[change_school]]`: the school's figures before and after.
    Changed {
        id: String,
        name: String,
        before: SchoolFigures,
        after: SchoolFigures,
    },
    /// `[[new_housing]]` with a `zones_file`.
    NewZones {
        count: usize,
        file: PathBuf,
        /// Entry children of the new zones, primary and junior.
        children: [u64; 2],
        /// "id name" of the zones whose land they take over.
        replaced: Vec<String>,
        /// Entry children who lived on that land, primary and junior.
        removed: [u64; 2],
    },
    /// `[[new_housing]]` with a `factor`.
    Growth {
        factor: f64,
        area: GrowthArea,
        stages: Vec<StageGrowth>,
    },
    /// `[[close_school]]`: where each stage's catchment and pupils went
    /// (none for a private school).
    Closed {
        id: String,
        name: String,
        handovers: Vec<Handover>,
    },
}

/// A school's classes, seats and pupils as a change gives them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SchoolFigures(pub Vec<(Figure, Stage, u32)>);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Figure {
    Classes,
    Capacity,
    Enrolled,
}

/// The zones a growth factor applied to.
#[derive(Clone, Debug, PartialEq)]
pub enum GrowthArea {
    Listed(usize),
    Circle {
        zones: usize,
        radius_km: f64,
        centre: [f64; 2],
    },
    Polygon(usize),
}

/// Entry children of one stage before and after a growth factor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StageGrowth {
    pub stage: Stage,
    pub before: u64,
    pub after: u64,
}

/// One stage of a closing school handed to its receivers.
#[derive(Clone, Debug, PartialEq)]
pub struct Handover {
    pub stage: Stage,
    pub pupils: u32,
    pub to: Vec<String>,
    /// For receivers that were open already: their seats and the children
    /// of today's catchments they take.
    pub seats: Option<(u64, u64)>,
}

impl ChangeNote {
    /// The line a reader of `lang` sees.
    pub fn text(&self, lang: Lang) -> String {
        let l = lang;
        match self {
            ChangeNote::Opened {
                id,
                name,
                kind,
                sector,
                figures,
            } => tr!(
                l,
                "changes.opened",
                id = id,
                name = name,
                kind = l.school_kind(*kind),
                sector = l.sector(*sector),
                figures = figures.text(l, true)
            ),
            ChangeNote::Changed {
                id,
                name,
                before,
                after,
            } => tr!(
                l,
                "changes.changed",
                id = id,
                name = name,
                before = before.text(l, false),
                after = after.text(l, false)
            ),
            ChangeNote::NewZones {
                count,
                file,
                children,
                replaced,
                removed,
            } => {
                let mut line = tr!(
                    l,
                    "changes.new_zones",
                    count = l.count(*count as u64),
                    file = file.display(),
                    primary = l.count(children[0]),
                    junior = l.count(children[1])
                );
                if !replaced.is_empty() {
                    line.push_str(&tr!(
                        l,
                        "changes.replaced",
                        zones = replaced.join(tr!(l, "report.list_separator")),
                        primary = l.count(removed[0]),
                        junior = l.count(removed[1])
                    ));
                }
                line
            }
            ChangeNote::Growth {
                factor,
                area,
                stages,
            } => {
                let stages: Vec<String> = stages
                    .iter()
                    .map(|g| {
                        tr!(
                            l,
                            "changes.growth_stage",
                            stage = l.stage(g.stage),
                            before = l.count(g.before),
                            after = l.count(g.after)
                        )
                    })
                    .collect();
                tr!(
                    l,
                    "changes.growth",
                    factor = factor,
                    area = area.text(l),
                    stages = stages.join(tr!(l, "report.list_separator"))
                )
            }
            ChangeNote::Closed {
                id,
                name,
                handovers,
            } => {
                let outcome = if handovers.is_empty() {
                    tr!(l, "changes.closed_private").to_string()
                } else {
                    let parts: Vec<String> = handovers.iter().flat_map(|h| h.texts(l)).collect();
                    format!(
                        "{}{}",
                        tr!(l, "changes.handovers_lead"),
                        parts.join(tr!(l, "changes.handover_separator"))
                    )
                };
                tr!(l, "changes.closed", id = id, name = name, outcome = outcome)
            }
        }
    }
}

/// summary.json keeps the English line.
impl Serialize for ChangeNote {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text(Lang::En))
    }
}

impl SchoolFigures {
    /// The figures after a lead (`, classes_primary 6` in English), or the
    /// language's word for none; `in_brackets` leaves none empty.
    fn text(&self, l: Lang, in_brackets: bool) -> String {
        if self.0.is_empty() {
            return if in_brackets {
                String::new()
            } else {
                tr!(l, "changes.figures_none").to_string()
            };
        }
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|&(figure, stage, n)| {
                let key = match figure {
                    Figure::Classes => "changes.classes",
                    Figure::Capacity => "changes.capacity",
                    Figure::Enrolled => "changes.enrolled",
                };
                l.fill(key, &[("stage", &l.stage(stage)), ("n", &l.count(n))])
            })
            .collect();
        let lead = if in_brackets {
            tr!(l, "changes.figures_lead_in_brackets")
        } else {
            tr!(l, "changes.figures_lead")
        };
        format!("{lead}{}", parts.join(tr!(l, "changes.figures_separator")))
    }
}

impl GrowthArea {
    fn text(&self, l: Lang) -> String {
        match self {
            GrowthArea::Listed(n) => tr!(l, "changes.area_listed", n = l.count(*n as u64)),
            GrowthArea::Circle {
                zones,
                radius_km,
                centre,
            } => tr!(
                l,
                "changes.area_circle",
                n = l.count(*zones as u64),
                km = radius_km,
                x = format!("{:.5}", centre[0]),
                y = format!("{:.5}", centre[1])
            ),
            GrowthArea::Polygon(n) => tr!(l, "changes.area_polygon", n = l.count(*n as u64)),
        }
    }
}

impl Handover {
    /// Where the stage went and, for open receivers, their seats.
    fn texts(&self, l: Lang) -> Vec<String> {
        let to = self.to.join(tr!(l, "report.list_separator"));
        let mut out = vec![tr!(
            l,
            "changes.handover",
            stage = l.stage(self.stage),
            pupils = l.count(self.pupils),
            to = to
        )];
        if let Some((seats, children)) = self.seats {
            out.push(tr!(
                l,
                "changes.receiving_seats",
                to = to,
                seats = l.count(seats),
                stage = l.stage(self.stage),
                children = l.count(children)
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed() -> ChangeNote {
        ChangeNote::Closed {
            id: "P1".into(),
            name: "Old".into(),
            handovers: vec![Handover {
                stage: Stage::Primary,
                pupils: 120,
                to: vec!["P2".into(), "P3".into()],
                seats: Some((1900, 24)),
            }],
        }
    }

    #[test]
    fn english_lines_are_the_ones_summary_json_always_had() {
        assert_eq!(
            closed().text(Lang::En),
            "closed P1 Old; its primary catchment and 120 pupils go to P2, P3; P2, P3 has 1900 primary seats for 24 children of today's catchments"
        );
        let opened = ChangeNote::Opened {
            id: "P9".into(),
            name: "New".into(),
            kind: SchoolKind::NineYear,
            sector: Sector::Public,
            figures: SchoolFigures(vec![
                (Figure::Classes, Stage::Primary, 6),
                (Figure::Capacity, Stage::Junior, 300),
            ]),
        };
        assert_eq!(
            opened.text(Lang::En),
            "opened P9 New (nine_year, public, classes_primary 6, capacity_junior 300)"
        );
        let changed = ChangeNote::Changed {
            id: "P9".into(),
            name: "New".into(),
            before: SchoolFigures::default(),
            after: SchoolFigures(vec![(Figure::Enrolled, Stage::Primary, 10)]),
        };
        assert_eq!(
            changed.text(Lang::En),
            "changed P9 New: ->, enrolled_primary 10"
        );
        assert_eq!(
            serde_json::to_string(&closed()).unwrap(),
            serde_json::to_string(&closed().text(Lang::En)).unwrap()
        );
    }

    #[test]
    fn chinese_lines_have_no_english_words() {
        let growth = ChangeNote::Growth {
            factor: 1.5,
            area: GrowthArea::Circle {
                zones: 3,
                radius_km: 2.0,
                centre: [120.1, 30.2],
            },
            stages: vec![StageGrowth {
                stage: Stage::Primary,
                before: 1000,
                after: 1500,
            }],
        };
        let private = ChangeNote::Closed {
            id: "M1".into(),
            name: "民办学校".into(),
            handovers: Vec::new(),
        };
        for note in [closed(), growth, private] {
            let text = note.text(Lang::Zh);
            let english: Vec<&str> = text
                .split(|c: char| !c.is_ascii_alphabetic())
                .filter(|w| w.len() >= 4 && *w != "Old")
                .collect();
            assert!(english.is_empty(), "{text}: {english:?}");
        }
        assert!(closed().text(Lang::Zh).contains("1,900"));
    }
}
