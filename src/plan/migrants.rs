//! Migrant children (随迁子女): "public schools first". Catchment schools
//! admit a zone's local children first (户籍优先); migrant children a
//! catchment school cannot take are placed by the bureau in the seats it buys
//! at private schools (政府购买学位), nearest first. The plan reports the
//! share of migrant children in public schools or purchased seats against
//! the target, per stage and county.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Plan;
use crate::model::{Region, Stage};
use crate::policy::{Policy, split_placed};

/// Migrant children of one stage in one county (or all counties).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MigrantFigures {
    pub children: u64,
    /// In their catchment school (public).
    pub public: u64,
    /// In seats the bureau bought at private schools.
    pub purchased: u64,
    pub unplaced: u64,
    /// (public + purchased) / children; null without migrant children.
    pub share: Option<f64>,
    pub target: f64,
    pub met: bool,
}

impl MigrantFigures {
    fn add(&mut self, other: &MigrantFigures) {
        self.children += other.children;
        self.public += other.public;
        self.purchased += other.purchased;
        self.unplaced += other.unplaced;
    }

    fn finish(mut self, target: f64) -> MigrantFigures {
        self.target = target;
        self.share = (self.children > 0).then(|| {
            ((self.public + self.purchased) as f64 / self.children as f64 * 1e6).round() / 1e6
        });
        self.met = self.share.is_none_or(|s| s >= target);
        self
    }
}

/// Migrant figures per county (in county order) and for the whole region
/// (from the migrant pass where migrant catchments are separate).
pub fn migrant_figures(
    plan: &Plan,
    region: &Region,
    policy: &Policy,
    stage: Stage,
) -> (BTreeMap<String, MigrantFigures>, MigrantFigures) {
    let mut by_county: BTreeMap<String, MigrantFigures> = BTreeMap::new();
    for z in 0..region.zones.len() {
        let (zp, children) = plan.migrant_zone(stage, z);
        let cohort = children.cohort(&region.zones[z], stage);
        if cohort.migrant == 0 {
            continue;
        }
        let (_, public) = split_placed(zp.public(), cohort.local);
        let purchased: u32 = zp.purchased.iter().map(|p| p.1).sum();
        let f = by_county
            .entry(region.zones[z].county.clone().unwrap_or_default())
            .or_default();
        f.children += cohort.migrant as u64;
        f.public += public as u64;
        f.purchased += purchased as u64;
        f.unplaced += (cohort.migrant - public - purchased) as u64;
    }
    let mut total = MigrantFigures::default();
    for f in by_county.values() {
        total.add(f);
    }
    let target = policy.migrant_target;
    (
        by_county
            .into_iter()
            .map(|(k, v)| (k, v.finish(target)))
            .collect(),
        total.finish(target),
    )
}
