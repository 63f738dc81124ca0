//! Where to build: choose `p` new school sites among candidate points so
//! that children travel least and as few as possible are left without a
//! seat — a capacitated p-median over our allocation core.
//!
//! Each set of sites is scored by the relaxation of the whole region with
//! those schools added (solved exactly over all schools, see
//! [`super::relaxed`]): children without a seat first, then child-km. The
//! search is the classic one for p-median: greedy addition (each round adds
//! the site that lowers the score most), then swaps (replace one chosen
//! site by one unchosen) while any swap improves, taking the best swap each
//! pass. Ties go to the lower candidate index, so the answer is the same on
//! every run. Scores of sets already seen are cached.
//!
//! [`exhaustive`] scores every set of `p` sites: the check of the search on
//! small instances, and what `catchment site` uses itself when the sets are
//! few enough to try them all.

use std::collections::HashMap;
use std::sync::Mutex;

use rayon::prelude::*;

use super::relaxed::{Relaxed, Score};
use crate::model::{School, Zone};
use crate::policy::Policy;
use crate::spatial::Distances;

/// A set of chosen sites (candidate indices, ascending) and its score.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    pub sites: Vec<usize>,
    pub score: Score,
}

/// What one chosen site adds to the others: the score without it minus
/// the score with all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SiteGain {
    pub site: usize,
    pub shortage_removed: u64,
    pub travel_saved_m: i128,
}

/// Candidate sites over a region, with a cache of scored sets.
pub struct SiteSearch<'a> {
    zones: &'a [Zone],
    schools: &'a [School],
    candidates: &'a [School],
    /// The region's distances: candidate sites join its road network too.
    distances: &'a Distances,
    policy: &'a Policy,
    k: usize,
    cache: Mutex<HashMap<Vec<usize>, Score>>,
}

impl<'a> SiteSearch<'a> {
    /// `k`: nearest schools first offered to each zone in the relaxation.
    pub fn new(
        zones: &'a [Zone],
        schools: &'a [School],
        candidates: &'a [School],
        distances: &'a Distances,
        policy: &'a Policy,
        k: usize,
    ) -> Self {
        SiteSearch {
            zones,
            schools,
            candidates,
            distances,
            policy,
            k,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// Sets scored so far (solves of the relaxation).
    pub fn evaluations(&self) -> usize {
        self.cache.lock().map_or(0, |c| c.len())
    }

    /// The score of the region with these candidate sites built.
    pub fn score(&self, sites: &[usize]) -> Score {
        let mut key = sites.to_vec();
        key.sort_unstable();
        if let Some(s) = self.cache.lock().ok().and_then(|c| c.get(&key).copied()) {
            return s;
        }
        let mut schools = self.schools.to_vec();
        schools.extend(key.iter().map(|&c| self.candidates[c].clone()));
        let score =
            Relaxed::solve_parts(self.zones, &schools, self.distances, self.policy, self.k).score();
        if let Ok(mut c) = self.cache.lock() {
            c.insert(key, score);
        }
        score
    }

    /// The best of several sets (lowest penalised score, then the
    /// lexicographically smallest set), scored in parallel.
    fn best(&self, sets: Vec<Vec<usize>>) -> Option<Choice> {
        let scored: Vec<Choice> = sets
            .into_par_iter()
            .map(|mut sites| {
                sites.sort_unstable();
                let score = self.score(&sites);
                Choice { sites, score }
            })
            .collect();
        scored.into_iter().min_by(|a, b| {
            a.score
                .penalised()
                .cmp(&b.score.penalised())
                .then_with(|| a.sites.cmp(&b.sites))
        })
    }

    /// Greedy addition of `p` sites, then best-improvement swaps.
    pub fn greedy_swap(&self, p: usize) -> Choice {
        let n = self.candidates.len();
        let p = p.min(n);
        let mut current = Choice {
            sites: Vec::new(),
            score: self.score(&[]),
        };
        while current.sites.len() < p {
            let sets = (0..n)
                .filter(|c| !current.sites.contains(c))
                .map(|c| {
                    let mut s = current.sites.clone();
                    s.push(c);
                    s
                })
                .collect();
            current = self.best(sets).expect("a candidate is left");
        }
        loop {
            let mut sets = Vec::new();
            for out in 0..current.sites.len() {
                for c in (0..n).filter(|c| !current.sites.contains(c)) {
                    let mut s = current.sites.clone();
                    s[out] = c;
                    sets.push(s);
                }
            }
            match self.best(sets) {
                Some(better) if better.score.penalised() < current.score.penalised() => {
                    current = better
                }
                _ => break,
            }
        }
        current
    }

    /// Every set of `p` sites scored; the best.
    pub fn exhaustive(&self, p: usize) -> Choice {
        let n = self.candidates.len();
        let p = p.min(n);
        self.best(combinations(n, p)).unwrap_or(Choice {
            sites: Vec::new(),
            score: self.score(&[]),
        })
    }

    /// What each chosen site adds given the others.
    pub fn gains(&self, choice: &Choice) -> Vec<SiteGain> {
        choice
            .sites
            .iter()
            .map(|&site| {
                let others: Vec<usize> = choice
                    .sites
                    .iter()
                    .copied()
                    .filter(|&c| c != site)
                    .collect();
                let without = self.score(&others);
                SiteGain {
                    site,
                    shortage_removed: without.unplaced.saturating_sub(choice.score.unplaced),
                    travel_saved_m: without.travel_m - choice.score.travel_m,
                }
            })
            .collect()
    }
}

/// The number of ways to choose `p` of `n`, saturating.
pub fn choose(n: usize, p: usize) -> u128 {
    if p > n {
        return 0;
    }
    let p = p.min(n - p);
    let mut c: u128 = 1;
    for i in 0..p {
        c = c.saturating_mul((n - i) as u128) / (i as u128 + 1);
    }
    c
}

/// All ascending index sets of size `p` from `0..n`, in lexicographic order.
pub fn combinations(n: usize, p: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    if p > n {
        return out;
    }
    let mut idx: Vec<usize> = (0..p).collect();
    loop {
        out.push(idx.clone());
        let Some(i) = (0..p).rev().find(|&i| idx[i] < n - p + i) else {
            break;
        };
        idx[i] += 1;
        for j in i + 1..p {
            idx[j] = idx[j - 1] + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cohort, SchoolKind, Shape};
    use geo::Point;

    #[test]
    fn combinations_are_complete_and_ordered() {
        let c = combinations(4, 2);
        assert_eq!(
            c,
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        assert_eq!(choose(4, 2), 6);
        assert_eq!(choose(10, 3), 120);
        assert_eq!(combinations(3, 0), vec![Vec::<usize>::new()]);
    }

    /// A deterministic pseudo-random stream for test instances.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self) -> f64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    fn school(id: String, x: f64, y: f64, classes: u32) -> School {
        School::public(&id, SchoolKind::Primary, Point::new(x, y))
            .with_classes([Some(classes), None])
    }

    /// A small county: zones scattered over about 10 km, two existing
    /// schools too small for them, candidate sites of different sizes.
    fn instance(
        seed: u64,
        zones: usize,
        candidates: usize,
    ) -> (Vec<Zone>, Vec<School>, Vec<School>) {
        let mut rng = Lcg(seed);
        let zones: Vec<Zone> = (0..zones)
            .map(|i| {
                // Two clusters, so that where a site stands matters.
                let (cx, cy) = if i % 3 == 0 {
                    (118.02, 31.52)
                } else {
                    (117.97, 31.49)
                };
                let p = Point::new(
                    cx + 0.04 * (rng.next() - 0.5),
                    cy + 0.04 * (rng.next() - 0.5),
                );
                let children = 5 + (rng.next() * 30.0) as u32;
                Zone {
                    id: format!("Z{i}"),
                    name: format!("Z{i}"),
                    shape: Shape::Point(p),
                    centroid: p,
                    children: [
                        Cohort {
                            local: children,
                            migrant: 0,
                        },
                        Cohort::default(),
                    ],
                    current: [None, None],
                    special: [0, 0],
                    county: None,
                    properties: Default::default(),
                }
            })
            .collect();
        let schools = vec![
            school("P1".into(), 117.95, 31.50, 3),
            school("P2".into(), 118.05, 31.47, 2),
        ];
        let candidates = (0..candidates)
            .map(|c| {
                school(
                    format!("C{c}"),
                    117.94 + 0.1 * rng.next(),
                    31.46 + 0.08 * rng.next(),
                    1 + (rng.next() * 4.0) as u32,
                )
            })
            .collect();
        (zones, schools, candidates)
    }

    #[test]
    fn greedy_with_swaps_finds_the_exhaustive_optimum_on_small_instances() {
        let policy = Policy::default();
        for seed in 1..=6u64 {
            let (zones, schools, candidates) = instance(seed, 40, 7);
            let straight = Distances::default();
            let search = SiteSearch::new(&zones, &schools, &candidates, &straight, &policy, 12);
            for p in 1..=3 {
                let heuristic = search.greedy_swap(p);
                let exact = search.exhaustive(p);
                assert_eq!(
                    heuristic.score, exact.score,
                    "seed {seed}, p {p}: greedy+swap {:?} vs exhaustive {:?}",
                    heuristic.sites, exact.sites
                );
                assert_eq!(heuristic.sites.len(), p);
            }
            // Sites help, and where they stand matters: the best set of 2
            // beats no site at all and is strictly better than the worst.
            let none = search.score(&[]);
            let two = search.exhaustive(2).score;
            assert!(two.penalised() < none.penalised(), "seed {seed}");
            let worst = combinations(candidates.len(), 2)
                .iter()
                .map(|set| search.score(set).penalised())
                .max()
                .unwrap();
            assert!(
                two.penalised() < worst,
                "seed {seed}: every pair scores the same"
            );
        }
    }

    #[test]
    fn gains_are_what_each_site_adds_to_the_others() {
        let policy = Policy::default();
        let (zones, schools, candidates) = instance(3, 40, 6);
        let straight = Distances::default();
        let search = SiteSearch::new(&zones, &schools, &candidates, &straight, &policy, 12);
        let choice = search.greedy_swap(2);
        let gains = search.gains(&choice);
        assert_eq!(gains.len(), 2);
        for g in &gains {
            let others: Vec<usize> = choice
                .sites
                .iter()
                .copied()
                .filter(|&c| c != g.site)
                .collect();
            let without = search.score(&others);
            assert!(without.penalised() >= choice.score.penalised());
            assert_eq!(without.travel_m - choice.score.travel_m, g.travel_saved_m);
        }
    }
}
