//! Command-line tests: the real binary on real files.

mod bad_input;
mod balance;
mod communities;
mod connected;
mod determinism;
mod documents;
mod formats;
mod fuzz;
mod locks;
mod lottery;
mod migrant;
mod neighbours;
mod one_way;
mod options;
mod real_data;
mod roads;
mod robust;
mod run;
mod special;

#[path = "../support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub use support::*;
