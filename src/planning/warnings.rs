//! 学位预警: each public school's first projected year short of seats, and
//! why (written by [`crate::report::projection`]).

use serde::Serialize;

use super::projection::{Projection, Shortage};
use crate::model::Region;
use crate::policy::Policy;

/// A public school's first year short of seats.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Warning {
    pub school_id: String,
    pub school_name: String,
    /// The year label of the first shortage.
    pub first_year: i32,
    /// Years (of those projected) in which it is short.
    pub years_short: usize,
    /// "stage: reason" in English (summary.json).
    pub reasons: Vec<String>,
    /// The same shortages, for documents in any language.
    #[serde(skip)]
    pub causes: Vec<Shortage>,
}

/// The warnings: each public school's first short year and its reasons
/// then.
pub fn warnings(region: &Region, policy: &Policy, p: &Projection) -> Vec<Warning> {
    let mut out = Vec::new();
    for (s, school) in region.schools.iter().enumerate() {
        let mut first = None;
        let mut count = 0;
        for year in &p.years {
            let short = p.shortages(region, policy, year, s);
            if !short.is_empty() {
                count += 1;
                if first.is_none() {
                    first = Some((year.label, short));
                }
            }
        }
        if let Some((year, causes)) = first {
            let reasons = causes
                .iter()
                .map(|x| format!("{}: {}", x.stage.key(), x.reason))
                .collect();
            out.push(Warning {
                school_id: school.id.clone(),
                school_name: school.name.clone(),
                first_year: year,
                years_short: count,
                reasons,
                causes,
            });
        }
    }
    out.sort_by(|a, b| {
        a.first_year
            .cmp(&b.first_year)
            .then(a.school_id.cmp(&b.school_id))
    });
    out
}
