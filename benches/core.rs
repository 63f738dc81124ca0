//! Criterion benchmarks of the pipeline's stages on generated counties:
//! the allocation (relaxation, column generation, whole zones), the flow
//! relaxation alone, the outputs, and the generator.
//!
//! `cargo bench` runs them; `catchment bench` measures whole commands and
//! the comparison with HiGHS.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

use catchment::generate::{Params, generate};
use catchment::plan::{Preferences, allocate};
use catchment::policy::Policy;
use catchment::report::{RunInfo, write_all};
use catchment::solve::{Arc, Instance, Settings, Target, relax};

fn county(zones: usize, schools: usize) -> catchment::model::Region {
    generate(&Params {
        seed: 1,
        zones,
        schools,
        counties: 1,
    })
}

fn allocation(c: &mut Criterion) {
    let mut group = c.benchmark_group("allocate");
    group.sample_size(10);
    for (zones, schools) in [(3_000, 80), (20_000, 600)] {
        let region = county(zones, schools);
        group.bench_function(format!("{zones}-zones"), |b| {
            b.iter(|| {
                allocate(
                    &region,
                    &Policy::default(),
                    &Settings::default(),
                    &Preferences::default(),
                    &(),
                )
                .unwrap()
            })
        });
    }
    group.finish();
}

/// A transportation instance like a county's: units with their 12 nearest
/// of `targets` schools on a line, seats 10 % above demand.
fn transport(units: usize, targets: usize) -> Instance {
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let demand: Vec<u32> = (0..units).map(|_| 1 + (next() % 30) as u32).collect();
    let total: u32 = demand.iter().sum();
    let lists = (0..units).map(|u| {
        let home = u * targets / units;
        let mut arcs: Vec<Arc> = (home.saturating_sub(6)..(home + 6).min(targets))
            .map(|t| Arc {
                target: t as u32,
                cost: 100 + (t as i64 - home as i64).abs() * 700 + (next() % 300) as i64,
            })
            .collect();
        arcs.sort_by_key(|a| (a.cost, a.target));
        arcs
    });
    let cap = total * 11 / 10 / targets as u32;
    Instance::new(
        demand,
        lists.collect::<Vec<_>>(),
        (0..targets)
            .map(|t| Target {
                cap: Some(cap + (t as u32 % 7) * 10),
                pool: t as u32,
            })
            .collect(),
        vec![2000; targets],
        1_000_000_000,
    )
}

fn relaxation(c: &mut Criterion) {
    let mut group = c.benchmark_group("relax");
    group.sample_size(10);
    for (units, targets) in [(5_000, 150), (40_000, 1_200)] {
        let inst = transport(units, targets);
        group.bench_function(format!("{units}-units"), |b| b.iter(|| relax(&inst)));
    }
    group.finish();
}

fn outputs(c: &mut Criterion) {
    let region = county(3_000, 80);
    let policy = Policy::default();
    let settings = Settings::default();
    let plan = allocate(&region, &policy, &settings, &Preferences::default(), &()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let info = RunInfo {
        output: Default::default(),
        input_crs: Default::default(),
        scenario: "bench",
        description: "",
        settings: &settings,
        seconds: 0.0,
        lang: Default::default(),
        year: None,
    };
    let mut group = c.benchmark_group("outputs");
    group.sample_size(10);
    group.bench_function("3000-zones", |b| {
        b.iter_batched(
            || dir.path().join("plan"),
            |out| write_all(&out, &region, &policy, &plan, &info).unwrap(),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

fn generation(c: &mut Criterion) {
    let mut group = c.benchmark_group("generate");
    group.sample_size(10);
    group.bench_function("20000-zones", |b| b.iter(|| county(20_000, 600)));
    group.finish();
}

criterion_group!(benches, allocation, relaxation, outputs, generation);
criterion_main!(benches);
