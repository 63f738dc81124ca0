//! Balance indicators (优质均衡): seven per-pupil resources per school, the
//! pass rule per school, and the enrollment-weighted coefficient of
//! variation between schools that a county is judged by.
//!
//! The allocator decides how many pupils each school has, so it moves every
//! per-pupil indicator: a plan reports them all.

use serde::{Deserialize, Serialize};

use crate::model::{School, SchoolKind, Stage};

/// School properties holding the seven resources, in indicator order R1-R7.
pub const RESOURCE_FIELDS: [&str; 7] = [
    "teachers_qualified",
    "teachers_backbone",
    "teachers_pe_arts",
    "teaching_area_m2",
    "sports_area_m2",
    "equipment_value_cny",
    "multimedia_rooms",
];

/// Indicators counted per 100 pupils (teachers, rooms); the others per pupil.
const PER_HUNDRED: [bool; 7] = [true, true, true, false, false, false, true];

/// Thresholds and limits of the evaluation, per stage (教督〔2017〕6号).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BalancePolicy {
    pub primary_thresholds: [f64; 7],
    pub junior_thresholds: [f64; 7],
    /// Largest between-school CV allowed for each indicator.
    pub primary_cv_limit: f64,
    pub junior_cv_limit: f64,
    /// The one indicator below its threshold must still reach this share.
    pub near_miss: f64,
    /// Weight of a junior pupil against a primary pupil when a nine-year
    /// school's shared resources are split between its parts.
    pub nine_year_junior_weight: f64,
}

impl Default for BalancePolicy {
    fn default() -> Self {
        BalancePolicy {
            primary_thresholds: [4.2, 1.0, 0.9, 4.5, 7.5, 2000.0, 2.3],
            junior_thresholds: [5.3, 1.0, 0.9, 5.8, 10.2, 2500.0, 2.4],
            primary_cv_limit: 0.50,
            junior_cv_limit: 0.45,
            near_miss: 0.85,
            nine_year_junior_weight: 1.1,
        }
    }
}

impl BalancePolicy {
    pub fn thresholds(&self, stage: Stage) -> &[f64; 7] {
        match stage {
            Stage::Primary => &self.primary_thresholds,
            Stage::Junior => &self.junior_thresholds,
        }
    }

    pub fn cv_limit(&self, stage: Stage) -> f64 {
        match stage {
            Stage::Primary => self.primary_cv_limit,
            Stage::Junior => self.junior_cv_limit,
        }
    }
}

/// The resources a school declares (None where the property is absent).
pub fn resources(school: &School) -> [Option<f64>; 7] {
    RESOURCE_FIELDS.map(|f| school.properties.get(f).and_then(|v| v.as_f64()))
}

/// One school's part for one stage: its pupils after this intake and the
/// resources that part has.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub pupils: f64,
    pub resources: [Option<f64>; 7],
}

/// The part of a school's resources that serves a stage: all of them for a
/// one-stage school; for a nine-year school a share by weighted pupils.
pub fn part(school: &School, stage: Stage, pupils: [f64; 2], policy: &BalancePolicy) -> Part {
    let all = resources(school);
    let share = match school.kind {
        SchoolKind::NineYear => {
            let weighted = [pupils[0], pupils[1] * policy.nine_year_junior_weight];
            let sum = weighted[0] + weighted[1];
            if sum > 0.0 {
                weighted[stage.index()] / sum
            } else {
                0.0
            }
        }
        _ => 1.0,
    };
    Part {
        pupils: pupils[stage.index()],
        resources: all.map(|r| r.map(|r| r * share)),
    }
}

/// A part's seven indicators (None without data or pupils).
pub fn indicators(p: &Part) -> [Option<f64>; 7] {
    let mut out = [None; 7];
    for i in 0..7 {
        if let Some(r) = p.resources[i]
            && p.pupils > 0.0
        {
            let scale = if PER_HUNDRED[i] { 100.0 } else { 1.0 };
            out[i] = Some(scale * r / p.pupils);
        }
    }
    out
}

/// Whether a part passes: at least six indicators at their thresholds and
/// the seventh at `near_miss` of its own. None when any indicator is unknown.
pub fn passes(values: &[Option<f64>; 7], thresholds: &[f64; 7], near_miss: f64) -> Option<bool> {
    let mut below = 0;
    for i in 0..7 {
        let v = values[i]?;
        if v < thresholds[i] {
            if v < near_miss * thresholds[i] {
                return Some(false);
            }
            below += 1;
        }
    }
    Some(below <= 1)
}

/// The enrollment-weighted coefficient of variation of one indicator:
/// x_i = R_i / P_i, mean = sum R / sum P, S = sqrt(sum (P_i / P)(x_i - mean)^2),
/// CV = S / mean. None without pupils or with a zero mean.
pub fn weighted_cv(parts: &[(f64, f64)]) -> Option<f64> {
    let pupils: f64 = parts.iter().map(|p| p.0).sum();
    let resources: f64 = parts.iter().map(|p| p.1).sum();
    if pupils <= 0.0 || resources <= 0.0 {
        return None;
    }
    let mean = resources / pupils;
    let var: f64 = parts
        .iter()
        .filter(|p| p.0 > 0.0)
        .map(|&(p, r)| (p / pupils) * (r / p - mean).powi(2))
        .sum();
    Some(var.sqrt() / mean)
}

/// One indicator's spread across a stage's schools.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spread {
    pub cv: f64,
    pub limit: f64,
    pub pass: bool,
}

/// The seven spreads of a stage; None for an indicator where some school
/// lacks the data (a county's figure over part of its schools would mislead).
pub fn spreads(parts: &[Part], policy: &BalancePolicy, stage: Stage) -> [Option<Spread>; 7] {
    let limit = policy.cv_limit(stage);
    std::array::from_fn(|i| {
        let with_pupils: Vec<&Part> = parts.iter().filter(|p| p.pupils > 0.0).collect();
        if with_pupils.is_empty() || with_pupils.iter().any(|p| p.resources[i].is_none()) {
            return None;
        }
        let pairs: Vec<(f64, f64)> = with_pupils
            .iter()
            .map(|p| (p.pupils, p.resources[i].unwrap_or(0.0)))
            .collect();
        let cv = weighted_cv(&pairs)?;
        Some(Spread {
            cv,
            limit,
            pass: cv <= limit,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_test_vector() {
        // pupils 45, 37, 89, 76, 55; resources 279, 137, 935, 160, 402:
        // mean 6.334, weighted CV 0.515 (unweighted would be 0.489).
        let pairs = [
            (45.0, 279.0),
            (37.0, 137.0),
            (89.0, 935.0),
            (76.0, 160.0),
            (55.0, 402.0),
        ];
        let pupils: f64 = pairs.iter().map(|p| p.0).sum();
        let resources: f64 = pairs.iter().map(|p| p.1).sum();
        assert!((resources / pupils - 6.334).abs() < 0.001);
        let cv = weighted_cv(&pairs).unwrap();
        assert!((cv - 0.515).abs() < 0.0005, "{cv}");
        // The weighting decides the verdict at 0.50.
        let xs: Vec<f64> = pairs.iter().map(|p| p.1 / p.0).collect();
        let m = xs.iter().sum::<f64>() / 5.0;
        let unweighted = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / 5.0).sqrt() / m;
        assert!((unweighted - 0.489).abs() < 0.001, "{unweighted}");
    }

    #[test]
    fn six_of_seven_and_a_near_miss_pass() {
        let t = BalancePolicy::default().primary_thresholds;
        let mut v = t.map(Some);
        assert_eq!(passes(&v, &t, 0.85), Some(true));
        v[3] = Some(t[3] * 0.9);
        assert_eq!(passes(&v, &t, 0.85), Some(true));
        v[3] = Some(t[3] * 0.8);
        assert_eq!(passes(&v, &t, 0.85), Some(false));
        v[3] = Some(t[3] * 0.9);
        v[5] = Some(t[5] * 0.9);
        assert_eq!(passes(&v, &t, 0.85), Some(false));
        v[6] = None;
        assert_eq!(passes(&v, &t, 0.85), None);
    }

    #[test]
    fn nine_year_resources_split_by_weighted_pupils() {
        use crate::model::{School, Sector};
        let mut properties = serde_json::Map::new();
        properties.insert("teachers_qualified".into(), 210.0.into());
        let school = School {
            id: "n".into(),
            name: "n".into(),
            location: geo::Point::new(0.0, 0.0),
            kind: SchoolKind::NineYear,
            sector: Sector::Public,
            county: None,
            classes: [None, None],
            enrolled: [0, 0],
            capacity: [None, None],
            properties,
        };
        let policy = BalancePolicy::default();
        let primary = part(&school, Stage::Primary, [1000.0, 1000.0], &policy);
        let junior = part(&school, Stage::Junior, [1000.0, 1000.0], &policy);
        assert!((primary.resources[0].unwrap() - 100.0).abs() < 1e-9);
        assert!((junior.resources[0].unwrap() - 110.0).abs() < 1e-9);
        assert!((indicators(&primary)[0].unwrap() - 10.0).abs() < 1e-9);
    }
}
