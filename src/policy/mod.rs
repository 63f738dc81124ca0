//! The rules a county bureau is held to, as one typed value.
//!
//! Every number here is a national norm by default (../shared/domain.md) and
//! configurable from TOML; no other module carries policy literals. Unknown
//! keys are rejected so that a misspelt rule is an error, not a silent default.

pub mod balance;

use serde::{Deserialize, Serialize};

pub use balance::BalancePolicy;

use crate::model::{School, SchoolKind, Sector, Stage};

/// Rules for one entry stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StagePolicy {
    /// 班额: most pupils in one class.
    pub class_limit: u32,
    /// Children are never assigned farther than this (km, great circle).
    /// `None`: anywhere in their county.
    pub max_km: Option<f64>,
    /// With separate migrant catchments, migrant children are never
    /// assigned farther than this (km). `None`: anywhere in their county;
    /// migrant lists are usually wider than local ones (more compounds per
    /// school), so a city that publishes them sets this above `max_km` or
    /// leaves it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrant_max_km: Option<f64>,
    /// Staff ratio (生师比): pupils per teacher, for the teachers a plan needs.
    pub pupils_per_teacher: f64,
}

/// The whole policy of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "PolicyFile")]
pub struct Policy {
    pub primary: StagePolicy,
    pub junior: StagePolicy,
    /// 办学规模: most pupils in one school, all grades.
    pub school_limit: u32,
    /// Most pupils in a nine-year school, both stages together.
    pub nine_year_school_limit: u32,
    /// 大班额: a class this large or larger is a violation to report.
    pub large_class: u32,
    /// 超大班额: the oversize threshold, reported separately.
    pub oversize_class: u32,
    /// Thresholds and limits of the balance evaluation.
    pub balance: BalancePolicy,
    /// Share of migrant children that must be in public schools or
    /// purchased seats (85 % nationally; some cities 100 %).
    pub migrant_target: f64,
    /// Band of the migrant share of a public school's intake, so that no
    /// school becomes a school of migrant children only; schools may
    /// override it with `migrant_min_share` / `migrant_max_share`.
    pub migrant_min_share: f64,
    pub migrant_max_share: f64,
    /// Share of children with disabilities (随班就读) who must be enrolled,
    /// in a resource room or a regular class (95 % nationally).
    pub special_target: f64,
    /// A child with a disability goes to a resource room (资源教室) only
    /// this near (km); farther, a regular class at the zone's catchment
    /// school is the better place. `None`: anywhere the stage's reach allows.
    pub special_max_km: Option<f64>,
    /// A zone farther than this (km) from every school of its county that
    /// teaches a stage is almost surely a data error (longitude and
    /// latitude swapped, a zone drawn over the globe): the run stops and
    /// names it, unless `--allow-far` says the distance is real.
    pub max_trip_km: f64,
}

/// A policy as written: every key optional, each missing one taking the
/// national default of its own stage (a `[junior]` table that sets only
/// `max_km` keeps the junior class limit of 50, not the primary 45).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    primary: StagePolicyFile,
    #[serde(default)]
    junior: StagePolicyFile,
    school_limit: Option<u32>,
    nine_year_school_limit: Option<u32>,
    large_class: Option<u32>,
    oversize_class: Option<u32>,
    balance: Option<BalancePolicy>,
    migrant_target: Option<f64>,
    migrant_min_share: Option<f64>,
    migrant_max_share: Option<f64>,
    special_target: Option<f64>,
    special_max_km: Option<f64>,
    max_trip_km: Option<f64>,
}

#[derive(Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StagePolicyFile {
    class_limit: Option<u32>,
    max_km: Option<f64>,
    migrant_max_km: Option<f64>,
    pupils_per_teacher: Option<f64>,
}

impl StagePolicyFile {
    fn over(self, default: StagePolicy) -> StagePolicy {
        StagePolicy {
            class_limit: self.class_limit.unwrap_or(default.class_limit),
            max_km: self.max_km.or(default.max_km),
            migrant_max_km: self.migrant_max_km.or(default.migrant_max_km),
            pupils_per_teacher: self
                .pupils_per_teacher
                .unwrap_or(default.pupils_per_teacher),
        }
    }
}

impl From<PolicyFile> for Policy {
    fn from(f: PolicyFile) -> Policy {
        let d = Policy::default();
        Policy {
            primary: f.primary.over(d.primary),
            junior: f.junior.over(d.junior),
            school_limit: f.school_limit.unwrap_or(d.school_limit),
            nine_year_school_limit: f.nine_year_school_limit.unwrap_or(d.nine_year_school_limit),
            large_class: f.large_class.unwrap_or(d.large_class),
            oversize_class: f.oversize_class.unwrap_or(d.oversize_class),
            balance: f.balance.unwrap_or(d.balance),
            migrant_target: f.migrant_target.unwrap_or(d.migrant_target),
            migrant_min_share: f.migrant_min_share.unwrap_or(d.migrant_min_share),
            migrant_max_share: f.migrant_max_share.unwrap_or(d.migrant_max_share),
            special_target: f.special_target.unwrap_or(d.special_target),
            special_max_km: f.special_max_km.or(d.special_max_km),
            max_trip_km: f.max_trip_km.unwrap_or(d.max_trip_km),
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            primary: StagePolicy {
                class_limit: 45,
                max_km: None,
                migrant_max_km: None,
                pupils_per_teacher: 19.0,
            },
            junior: StagePolicy {
                class_limit: 50,
                max_km: None,
                migrant_max_km: None,
                pupils_per_teacher: 13.5,
            },
            school_limit: 2000,
            nine_year_school_limit: 2500,
            large_class: 56,
            oversize_class: 66,
            balance: BalancePolicy::default(),
            migrant_target: 0.85,
            migrant_min_share: 0.0,
            migrant_max_share: 1.0,
            special_target: 0.95,
            special_max_km: None,
            max_trip_km: 100.0,
        }
    }
}

/// A policy value that cannot be applied.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PolicyError {
    #[error("policy `{field}` is {value}: {expected}")]
    Invalid {
        field: &'static str,
        value: String,
        expected: String,
    },
}

impl Policy {
    pub fn stage(&self, stage: Stage) -> &StagePolicy {
        match stage {
            Stage::Primary => &self.primary,
            Stage::Junior => &self.junior,
        }
    }

    /// Rejects numbers no bureau could mean (a class limit of 0, a negative
    /// distance) and limits that contradict each other (a large class no
    /// larger than the class limit), before any planning: such a policy
    /// would otherwise run the whole plan and then fail every check.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let invalid = |field, value: String, expected: &str| {
            Err(PolicyError::Invalid {
                field,
                value,
                expected: expected.to_string(),
            })
        };
        for (field, limit) in [
            ("primary.class_limit", self.primary.class_limit),
            ("junior.class_limit", self.junior.class_limit),
            ("school_limit", self.school_limit),
            ("nine_year_school_limit", self.nine_year_school_limit),
        ] {
            if limit == 0 {
                return invalid(field, "0".into(), "a positive whole number");
            }
        }
        for (field, km) in [
            ("primary.max_km", self.primary.max_km),
            ("junior.max_km", self.junior.max_km),
            ("primary.migrant_max_km", self.primary.migrant_max_km),
            ("junior.migrant_max_km", self.junior.migrant_max_km),
            ("special_max_km", self.special_max_km),
            ("max_trip_km", Some(self.max_trip_km)),
        ] {
            if let Some(km) = km
                && !(km.is_finite() && km > 0.0)
            {
                return invalid(field, km.to_string(), "a positive distance in km");
            }
        }
        for (field, ratio) in [
            (
                "primary.pupils_per_teacher",
                self.primary.pupils_per_teacher,
            ),
            ("junior.pupils_per_teacher", self.junior.pupils_per_teacher),
        ] {
            if !(ratio.is_finite() && ratio > 0.0) {
                return invalid(
                    field,
                    ratio.to_string(),
                    "a positive number of pupils per teacher",
                );
            }
        }
        for (field, share) in [
            ("migrant_target", self.migrant_target),
            ("migrant_min_share", self.migrant_min_share),
            ("migrant_max_share", self.migrant_max_share),
            ("special_target", self.special_target),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return invalid(field, share.to_string(), "a share between 0 and 1");
            }
        }
        if self.migrant_min_share > self.migrant_max_share {
            return invalid(
                "migrant_min_share / migrant_max_share",
                format!("{} / {}", self.migrant_min_share, self.migrant_max_share),
                "min <= max",
            );
        }
        self.validate_limits()
    }

    /// The limits against each other: a class at the class limit must not
    /// already be a large class, and a nine-year school may not be held
    /// below an ordinary one.
    fn validate_limits(&self) -> Result<(), PolicyError> {
        let invalid = |field, value: String, expected: String| {
            Err(PolicyError::Invalid {
                field,
                value,
                expected,
            })
        };
        let widest = self.primary.class_limit.max(self.junior.class_limit);
        if self.large_class <= widest {
            return invalid(
                "large_class",
                self.large_class.to_string(),
                format!(
                    "more than the class limits (primary.class_limit {}, junior.class_limit {}): a class at its limit must not be a large class; raise large_class or lower the class limit",
                    self.primary.class_limit, self.junior.class_limit
                ),
            );
        }
        if self.oversize_class <= self.large_class {
            return invalid(
                "oversize_class",
                self.oversize_class.to_string(),
                format!("more than large_class ({})", self.large_class),
            );
        }
        if self.nine_year_school_limit < self.school_limit {
            return invalid(
                "nine_year_school_limit",
                self.nine_year_school_limit.to_string(),
                format!(
                    "at least school_limit ({}): a nine-year school holds two stages",
                    self.school_limit
                ),
            );
        }
        Ok(())
    }

    /// The school limit that applies to this school (nine-year schools have
    /// their own, shared by both stages).
    pub fn school_limit_of(&self, school: &School) -> u32 {
        match school.kind {
            SchoolKind::NineYear => self.nine_year_school_limit,
            _ => self.school_limit,
        }
    }

    /// The band of a school's migrant share: its own values where given,
    /// else the policy's.
    pub fn migrant_band(&self, school: &School) -> (f64, f64) {
        let get = |key: &str, default: f64| {
            school
                .properties
                .get(key)
                .and_then(|v| v.as_f64())
                .unwrap_or(default)
        };
        (
            get("migrant_min_share", self.migrant_min_share),
            get("migrant_max_share", self.migrant_max_share),
        )
    }

    /// The seats a school can offer this intake (see [`Seats`]).
    pub fn seats(&self, school: &School) -> Seats {
        let stage = Stage::ALL.map(|stage| {
            if !school.takes_catchment(stage) {
                return Some(0);
            }
            let by_classes = school.classes[stage.index()]
                .map(|c| c.saturating_mul(self.stage(stage).class_limit));
            match (by_classes, school.capacity[stage.index()]) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        });
        Seats {
            stage,
            school: self
                .school_limit_of(school)
                .saturating_sub(school.continuing()),
        }
    }
}

/// Seats of one school for this intake, as two nested limits: each stage's
/// own (classes x class limit, explicit cap) and the school's (school limit
/// minus pupils who stay), which a nine-year school's stages share.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seats {
    /// Per-stage limit; `None` when the school gives neither classes nor a cap.
    pub stage: [Option<u32>; 2],
    pub school: u32,
}

impl Seats {
    /// Seats for one stage if the other stage took none.
    pub fn of(&self, stage: Stage) -> u32 {
        self.stage[stage.index()].map_or(self.school, |s| s.min(self.school))
    }
}

/// Classes a school opens for an intake, and how full they are when pupils are
/// spread evenly (随机均衡编班: sizes differ by at most one).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Classes {
    pub opened: u32,
    pub largest: u32,
}

impl Classes {
    pub fn for_intake(intake: u32, class_limit: u32) -> Classes {
        let opened = intake.div_ceil(class_limit);
        Classes {
            opened,
            largest: if opened == 0 {
                0
            } else {
                intake.div_ceil(opened)
            },
        }
    }

    pub fn mean(&self, intake: u32) -> f64 {
        if self.opened == 0 {
            0.0
        } else {
            intake as f64 / self.opened as f64
        }
    }
}

/// Seats a private school sells to the bureau for migrant children, per stage
/// (`purchased_primary`, `purchased_junior`; checked when read).
pub fn purchased_seats(school: &School, stage: Stage) -> u32 {
    if school.sector != Sector::Private || !school.kind.teaches(stage) {
        return 0;
    }
    school
        .properties
        .get(match stage {
            Stage::Primary => "purchased_primary",
            Stage::Junior => "purchased_junior",
        })
        .and_then(|v| v.as_u64())
        .map_or(0, |v| v.min(u32::MAX as u64) as u32)
}

/// Splits a zone's placed children into local and migrant: local children
/// first, as catchment schools admit registered residents first (户籍优先).
pub fn split_placed(placed: u32, local: u32) -> (u32, u32) {
    let l = placed.min(local);
    (l, placed - l)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Sector;
    use geo::Point;

    fn school(kind: SchoolKind) -> School {
        School::public("s", kind, Point::new(0.0, 0.0))
    }

    #[test]
    fn seats_take_the_smallest_given_term() {
        let p = Policy::default();
        let mut s = school(SchoolKind::Primary);
        assert_eq!(p.seats(&s).of(Stage::Primary), 2000);
        assert_eq!(p.seats(&s).of(Stage::Junior), 0);
        s.classes[0] = Some(4);
        assert_eq!(p.seats(&s).of(Stage::Primary), 180);
        s.capacity[0] = Some(170);
        assert_eq!(p.seats(&s).of(Stage::Primary), 170);
        s.enrolled[0] = 1900;
        assert_eq!(p.seats(&s).of(Stage::Primary), 100);
        s.enrolled[0] = 2100;
        assert_eq!(p.seats(&s).of(Stage::Primary), 0);
    }

    #[test]
    fn nine_year_school_shares_one_limit() {
        let p = Policy::default();
        let mut s = school(SchoolKind::NineYear);
        s.enrolled = [1500, 900];
        s.classes = [Some(4), Some(4)];
        let seats = p.seats(&s);
        assert_eq!(seats.school, 100);
        assert_eq!(seats.stage, [Some(180), Some(200)]);
        assert_eq!(seats.of(Stage::Junior), 100);
    }

    #[test]
    fn private_schools_take_no_catchment() {
        let p = Policy::default();
        let mut s = school(SchoolKind::Primary);
        s.sector = Sector::Private;
        assert_eq!(p.seats(&s).of(Stage::Primary), 0);
    }

    #[test]
    fn classes_are_spread_evenly() {
        assert_eq!(Classes::for_intake(0, 45), Classes::default());
        assert_eq!(
            Classes::for_intake(46, 45),
            Classes {
                opened: 2,
                largest: 23
            }
        );
        assert_eq!(
            Classes::for_intake(180, 45),
            Classes {
                opened: 4,
                largest: 45
            }
        );
    }

    #[test]
    fn policy_reads_partial_toml_and_rejects_unknown_keys() {
        let p: Policy = toml::from_str("school_limit = 1800\n[junior]\nmax_km = 5.0\n").unwrap();
        assert_eq!(p.school_limit, 1800);
        assert_eq!(p.junior.class_limit, 50);
        assert_eq!(p.junior.max_km, Some(5.0));
        assert!(toml::from_str::<Policy>("school_limt = 1800").is_err());
        let bad = Policy {
            school_limit: 0,
            ..Policy::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn special_target_defaults_to_95_percent_and_is_a_share() {
        let p: Policy = toml::from_str("special_max_km = 3.0\n").unwrap();
        assert_eq!(p.special_target, 0.95);
        assert_eq!(p.special_max_km, Some(3.0));
        assert!(p.validate().is_ok());
        let p: Policy = toml::from_str("special_target = 1.2\n").unwrap();
        assert_eq!(
            p.validate(),
            Err(PolicyError::Invalid {
                field: "special_target",
                value: "1.2".into(),
                expected: "a share between 0 and 1".into(),
            })
        );
        let p: Policy = toml::from_str("special_max_km = 0.0\n").unwrap();
        assert!(p.validate().is_err());
    }

    #[test]
    fn contradictory_limits_are_refused_naming_the_key() {
        for (toml, key) in [
            ("large_class = 10", "large_class"),
            ("large_class = 50", "large_class"),
            ("[primary]\nclass_limit = 60", "large_class"),
            ("oversize_class = 56", "oversize_class"),
            ("nine_year_school_limit = 1500", "nine_year_school_limit"),
            ("school_limit = 0", "school_limit"),
            ("migrant_target = -0.1", "migrant_target"),
            ("max_trip_km = -1.0", "max_trip_km"),
        ] {
            let p: Policy = toml::from_str(toml).unwrap();
            match p.validate() {
                Err(PolicyError::Invalid { field, .. }) => assert_eq!(field, key, "{toml}"),
                Ok(()) => panic!("{toml} accepted"),
            }
        }
        assert!(Policy::default().validate().is_ok());
    }
}
