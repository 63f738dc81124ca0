//! Why children have no seat, in the document language: the reason column
//! of unplaced.csv, migrant-placements.csv and the lottery's draw, and the
//! table of report.md. English is the plan's own wording.

use crate::i18n::Lang;
use crate::model::Region;
use crate::plan::{Apart, Unplaced};
use crate::tr;

/// Counties named in a reason before "and N more".
const COUNTIES_SHOWN: usize = 5;

/// The reason in `lang`.
pub fn unplaced(lang: Lang, reason: &Unplaced) -> String {
    if lang == Lang::En {
        return reason.to_string();
    }
    match reason {
        Unplaced::NoSchoolInCounty { county: Some(c) } => {
            tr!(lang, "reasons.no_school_in_county", county = c)
        }
        Unplaced::NoSchoolInCounty { county: None } => tr!(lang, "reasons.no_school").into(),
        Unplaced::NoneWithinReach { max_km } => tr!(lang, "reasons.none_within", km = max_km),
        Unplaced::AllFull {
            schools,
            farthest_km,
        } => tr!(
            lang,
            "reasons.all_full",
            schools = schools,
            km = format!("{farthest_km:.1}")
        ),
        Unplaced::AllForbidden { schools } => {
            tr!(lang, "reasons.all_forbidden", schools = schools)
        }
        Unplaced::NoCounty { counties } => {
            let mut named = counties
                .iter()
                .take(COUNTIES_SHOWN)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(tr!(lang, "report.list_separator"));
            if counties.len() > COUNTIES_SHOWN {
                named.push_str(&tr!(
                    lang,
                    "reasons.more_counties",
                    n = counties.len() - COUNTIES_SHOWN
                ));
            }
            tr!(lang, "reasons.no_county", counties = named)
        }
        Unplaced::OwnZoneOverflow { seats } => {
            tr!(lang, "reasons.own_zone_overflow", seats = seats)
        }
    }
}

/// Why a piece of a catchment is left apart, in `lang` (zones by id).
pub fn apart(lang: Lang, reason: &Apart, region: &Region) -> String {
    match reason {
        Apart::Locked => tr!(lang, "reasons.apart_locked").into(),
        Apart::Island { zones } => tr!(lang, "reasons.apart_island", zones = zones),
        Apart::Short {
            zones,
            children,
            seats,
            schools,
        } => tr!(
            lang,
            "reasons.apart_short",
            zones = zones,
            children = children,
            seats = seats,
            schools = schools
        ),
        Apart::Unreachable { zone } => {
            tr!(
                lang,
                "reasons.apart_unreachable",
                zone = region.zones[*zone].id
            )
        }
        Apart::NoConnectedPlan {
            zones,
            schools,
            whole_area,
        } => {
            let key = if *whole_area {
                "reasons.apart_no_plan_area"
            } else {
                "reasons.apart_no_plan_window"
            };
            tr!(lang, key, zones = zones, schools = schools)
        }
        Apart::Feeders => tr!(lang, "reasons.apart_feeders").into(),
        Apart::NotFound => tr!(lang, "reasons.apart_not_found").into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_is_the_plans_wording_and_chinese_has_no_english() {
        let reasons = [
            Unplaced::NoSchoolInCounty {
                county: Some("东区".into()),
            },
            Unplaced::NoSchoolInCounty { county: None },
            Unplaced::NoneWithinReach { max_km: 3.0 },
            Unplaced::AllFull {
                schools: 14,
                farthest_km: 3.21,
            },
            Unplaced::AllForbidden { schools: 4 },
            Unplaced::NoCounty {
                counties: (0..7).map(|i| format!("县{i}")).collect(),
            },
            Unplaced::OwnZoneOverflow { seats: 94 },
        ];
        for r in &reasons {
            assert_eq!(unplaced(Lang::En, r), r.to_string());
            let zh = unplaced(Lang::Zh, r);
            // Key names in code spans stay as they are written.
            let prose: String = zh.split('`').step_by(2).collect();
            assert!(
                !prose.chars().any(|c| c.is_ascii_alphabetic()),
                "{zh} (from {r})"
            );
        }
        assert!(unplaced(Lang::Zh, &reasons[3]).contains("3.2"));
    }

    #[test]
    fn pieces_apart_are_worded_in_the_document_language() {
        use crate::generate::{TightParams, generate_tight};
        let mut region = generate_tight(&TightParams {
            seed: 1,
            zones: 20,
            schools: 3,
        });
        region.zones[4].id = "1005".into();
        let reasons = [
            Apart::Locked,
            Apart::Island { zones: 3 },
            Apart::Short {
                zones: 12,
                children: 480,
                seats: 450,
                schools: 2,
            },
            Apart::Unreachable { zone: 4 },
            Apart::NoConnectedPlan {
                zones: 63,
                schools: 7,
                whole_area: true,
            },
            Apart::NoConnectedPlan {
                zones: 63,
                schools: 7,
                whole_area: false,
            },
            Apart::Feeders,
            Apart::NotFound,
        ];
        for r in &reasons {
            let (zh, en) = (apart(Lang::Zh, r, &region), apart(Lang::En, r, &region));
            assert!(!zh.chars().any(|c| c.is_ascii_alphabetic()), "{zh}");
            assert!(en.is_ascii() && !en.contains('{'), "{en}");
        }
        assert!(apart(Lang::Zh, &reasons[3], &region).contains("1005"));
        assert!(apart(Lang::En, &reasons[2], &region).contains("480 children"));
        assert!(!Apart::NotFound.certified() && reasons[..7].iter().all(Apart::certified));
        let local: Vec<bool> = reasons.iter().map(Apart::proven_locally).collect();
        assert_eq!(
            local,
            [false, false, false, false, false, true, false, false]
        );
    }
}
