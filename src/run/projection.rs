//! `[projection]` in a scenario: how far and how a projection rolls the
//! cohorts forward (see [`crate::planning::projection`]).

use serde::{Deserialize, Serialize};

/// `[projection]` in a scenario.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProjectionSettings {
    /// Years projected, the scenario's own year first.
    pub years: usize,
    /// Calendar year of the first intake (labels the years, and is needed
    /// to read `births_YYYY`).
    pub start_year: Option<i32>,
    /// Yearly growth rate of a zone's entry cohort where it gives neither
    /// births nor its own `growth` (-0.03: three percent fewer each year).
    pub growth: f64,
    /// Net migration factor on each year's entrants (1.0: none).
    pub migration: f64,
    /// Share of grade-6 pupils of public primaries who enter a public
    /// junior school; None: observed from the year-1 data.
    pub junior_transition: Option<f64>,
    /// Allocate every year again under the seat limits (else keep last
    /// year's catchments).
    pub reoptimize: bool,
    /// Km of travel a child moved from last year's school is worth in
    /// re-optimised years; None: the scenario's `stability_km`, or 1 km
    /// where that is 0 (without any weight, catchments would be redrawn
    /// from scratch every year).
    pub stability_km: Option<f64>,
}

impl Default for ProjectionSettings {
    fn default() -> Self {
        ProjectionSettings {
            years: 6,
            start_year: None,
            growth: 0.0,
            migration: 1.0,
            junior_transition: None,
            reoptimize: false,
            stability_km: None,
        }
    }
}

impl ProjectionSettings {
    pub fn validate(&self) -> Result<(), String> {
        if !(1..=30).contains(&self.years) {
            return Err(format!("years is {}; expected 1 to 30", self.years));
        }
        if !(self.growth.is_finite() && self.growth > -1.0) {
            return Err(format!(
                "growth is {}; expected a yearly rate above -1 (-0.03: 3 % fewer a year)",
                self.growth
            ));
        }
        if !(self.migration.is_finite() && self.migration >= 0.0) {
            return Err(format!(
                "migration is {}; expected a factor >= 0 (1.0: no net migration)",
                self.migration
            ));
        }
        if let Some(t) = self.junior_transition
            && !(t.is_finite() && (0.0..=2.0).contains(&t))
        {
            return Err(format!(
                "junior_transition is {t}; expected a share between 0 and 2 (1.0: every grade-6 pupil)"
            ));
        }
        if let Some(k) = self.stability_km
            && !(k.is_finite() && k >= 0.0)
        {
            return Err(format!(
                "stability_km is {k}; expected a distance >= 0 in km"
            ));
        }
        Ok(())
    }
}
