//! Realistic synthetic counties (being written).

use crate::model::Region;

/// What to generate.
#[derive(Clone, Debug)]
pub struct Params {
    pub seed: u64,
    pub zones: usize,
    pub schools: usize,
    pub counties: usize,
}

/// Generates a region deterministically from its parameters.
pub fn generate(_params: &Params) -> Region {
    Region::default()
}
