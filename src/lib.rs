//! `catchment`: school catchments (划片) for compulsory education.
//!
//! The pipeline, one module per stage in the order data flows:
//!
//! - [`io`]: read zones and schools (GeoJSON) and scenarios (TOML), with
//!   errors that name the file, feature and field;
//! - [`model`]: the validated county: [`model::Zone`], [`model::School`];
//! - [`policy`]: the rules and their national defaults, seats and classes;
//! - [`spatial`]: great-circle distances and the nearest schools of a zone;
//! - [`solve`]: the allocation core (flow relaxation, whole zones, exact MIP);
//! - [`plan`]: a region's plan, its figures and the check of every limit;
//!   multi-school zones (多校划片) and their lottery over it;
//! - [`report`]: what the bureau publishes (maps, lists, tables, summary);
//! - [`serve`]: the officers' map, a local web app over the same plan;
//! - [`planning`]: scenarios side by side, multi-year projections, where to
//!   add seats;
//! - [`generate`]: realistic synthetic counties for demos and benchmarks.

#[macro_use]
pub mod options;
pub mod generate;
pub mod i18n;
pub mod io;
pub mod model;
pub mod plan;
pub mod planning;
pub mod policy;
pub mod report;
pub mod run;
pub mod serve;
pub mod solve;
pub mod spatial;
