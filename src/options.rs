//! Options declared once: key, flag, default, range and doc in one line
//! each, however many ways they can be given.
//!
//! An option can come from a scenario file (and the files it `extends`), a
//! policy file or the command line. [`options!`] turns one list of
//! declarations into:
//!
//! - a *given* struct, every field optional: what one source says. It is the
//!   scenario table (serde, unknown keys refused) and the command-line flags
//!   (clap; the field's doc comment is the flag's help) at once;
//! - a *resolved* struct: every source merged, defaults filled in;
//! - `over` (one source over another), `check` (each value's range, naming
//!   the key or flag and the fix), `rebase` (paths made relative to the file
//!   that gave them) and `resolve`.
//!
//! So adding an option is one declaration here (or in the table that holds
//! it) plus the code that uses it.

use std::path::{Path, PathBuf};

/// A value an option can hold: paths follow the file that named them,
/// everything else stays as it is.
pub trait OptionValue {
    /// Makes a path relative to `dir` (the folder of the scenario file).
    fn rebase(&mut self, _dir: &Path) {}
    /// The file this value names, which must exist.
    fn file(&self) -> Option<&Path> {
        None
    }
}

impl OptionValue for PathBuf {
    fn rebase(&mut self, dir: &Path) {
        *self = lexical(&dir.join(&*self));
    }
    fn file(&self) -> Option<&Path> {
        Some(self)
    }
}

/// A path with `.` dropped and each `..` taking away the folder before it,
/// by its text alone: `scenarios/../maps/demo/roads.geojson` is
/// `maps/demo/roads.geojson`. Not `canonicalize`, which would make a
/// relative path absolute (and machine-specific in every output) and needs
/// the file to exist. A `..` with no folder before it stays.
pub fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    if out.is_empty() {
        return PathBuf::from(".");
    }
    out.iter().collect()
}

macro_rules! plain_values {
    ($($t:ty),*) => { $(impl OptionValue for $t {})* };
}
plain_values!(bool, f64, u64, usize, String);

/// An option given out of its range.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{key} is {value}; expected {expected}")]
pub struct OutOfRange {
    /// The key as the source spells it: `stability_km` in a file,
    /// `--stability-km` on the command line.
    pub key: String,
    pub value: String,
    pub expected: &'static str,
}

/// A file an option names that does not exist.
#[derive(Clone, Debug, PartialEq)]
pub struct MissingFile {
    pub key: &'static str,
    pub file: PathBuf,
}

/// Range checks shared by the declarations.
pub mod range {
    /// A distance in km: finite and not negative.
    pub fn km(v: &f64) -> Result<(), &'static str> {
        (v.is_finite() && *v >= 0.0)
            .then_some(())
            .ok_or("a distance >= 0 in km")
    }

    /// A distance in metres: finite and not negative.
    pub fn metres(v: &f64) -> Result<(), &'static str> {
        (v.is_finite() && *v >= 0.0)
            .then_some(())
            .ok_or("a distance >= 0 in metres")
    }

    /// A positive count.
    pub fn at_least_one(v: &usize) -> Result<(), &'static str> {
        (*v >= 1).then_some(()).ok_or("a count of at least 1")
    }

    /// Seconds, finite and above 0.
    pub fn seconds(v: &f64) -> Result<(), &'static str> {
        (v.is_finite() && *v > 0.0)
            .then_some(())
            .ok_or("a number of seconds above 0")
    }

    /// A share between 0 and 1.
    pub fn share(v: &f64) -> Result<(), &'static str> {
        ((0.0..=1.0).contains(v))
            .then_some(())
            .ok_or("a share between 0 and 1")
    }

    /// Any value of the type (enums, flags, counts without a limit).
    pub fn any<T>(_: &T) -> Result<(), &'static str> {
        Ok(())
    }
}

/// The long flag clap gives field `id` of a given struct (`--allow-pieces`
/// for `contiguous`), for error messages that name what the user typed.
pub fn flag_of<A: clap::Args>(id: &str) -> String {
    let cmd = A::augment_args(clap::Command::new("catchment"));
    cmd.get_arguments()
        .find(|a| a.get_id() == id)
        .and_then(|a| a.get_long())
        .map_or_else(|| id.to_string(), |l| format!("--{l}"))
}

#[doc(hidden)]
#[macro_export]
macro_rules! __resolved_type {
    ($ty:ty) => { Option<$ty> };
    ($ty:ty, $default:expr) => { $ty };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __resolved_value {
    ($v:expr) => {
        $v
    };
    ($v:expr, $default:expr) => {
        $v.unwrap_or_else(|| $default)
    };
}

/// Declares a table of options; see the module documentation.
///
/// ```ignore
/// options! {
///     /// What a table of the scenario holds.
///     pub struct GivenName => ResolvedName {
///         /// Doc: the flag's help and the key's documentation.
///         #[arg(long)]
///         key: Type = default, range::check;
///         /// No default: resolved as `Option<Type>`.
///         #[arg(long)]
///         other: Type, range::any;
///     }
/// }
/// ```
#[macro_export]
macro_rules! options {
    (
        $(#[$smeta:meta])*
        pub struct $Given:ident => $Resolved:ident {
            $(
                $(#[$fmeta:meta])*
                $name:ident : $ty:ty $(= $default:expr)? , $check:path ;
            )*
        }
    ) => {
        $(#[$smeta])*
        #[derive(clap::Args, Clone, Debug, Default, PartialEq, serde::Deserialize, serde::Serialize)]
        #[serde(deny_unknown_fields)]
        pub struct $Given {
            $(
                $(#[$fmeta])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $name: Option<$ty>,
            )*
        }

        $(#[$smeta])*
        #[derive(Clone, Debug, PartialEq, serde::Serialize)]
        pub struct $Resolved {
            $( pub $name: $crate::__resolved_type!($ty $(, $default)?), )*
        }

        impl Default for $Resolved {
            fn default() -> Self {
                $Given::default().resolve()
            }
        }

        impl $Given {
            /// Every key of the table.
            #[allow(dead_code)]
            pub const KEYS: &'static [&'static str] = &[$(stringify!($name)),*];

            /// This source's values, and `base`'s where this one is silent.
            pub fn over(self, base: $Given) -> $Given {
                $Given { $( $name: self.$name.or(base.$name), )* }
            }

            /// Each given value in its range; `flags`: name the command-line
            /// flag rather than the file key.
            pub fn check(&self, flags: bool) -> Result<(), $crate::options::OutOfRange> {
                $(
                    if let Some(v) = &self.$name {
                        $check(v).map_err(|expected| $crate::options::OutOfRange {
                            key: if flags {
                                $crate::options::flag_of::<$Given>(stringify!($name))
                            } else {
                                stringify!($name).to_string()
                            },
                            value: format!("{v:?}").trim_matches('"').to_string(),
                            expected,
                        })?;
                    }
                )*
                Ok(())
            }

            /// Paths made relative to `dir`, the folder of the file that
            /// gave them; the first that names no file is returned.
            pub fn rebase(&mut self, dir: &std::path::Path) -> Result<(), $crate::options::MissingFile> {
                use $crate::options::OptionValue;
                $(
                    if let Some(v) = &mut self.$name {
                        v.rebase(dir);
                        if let Some(file) = v.file().filter(|f| !f.is_file()) {
                            return Err($crate::options::MissingFile {
                                key: stringify!($name),
                                file: file.to_path_buf(),
                            });
                        }
                    }
                )*
                Ok(())
            }

            /// Defaults where nothing was given.
            pub fn resolve(&self) -> $Resolved {
                $Resolved { $( $name: $crate::__resolved_value!(self.$name.clone() $(, $default)?), )* }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::{lexical, range};
    use std::path::{Path, PathBuf};

    #[derive(
        Clone,
        Copy,
        Debug,
        Default,
        PartialEq,
        serde::Deserialize,
        serde::Serialize,
        clap::ValueEnum,
    )]
    #[serde(rename_all = "lowercase")]
    pub enum Colour {
        #[default]
        Red,
        Blue,
    }
    impl super::OptionValue for Colour {}

    crate::options! {
        /// Test options.
        pub struct Given => Resolved {
            /// A distance.
            #[arg(long)]
            reach_km: f64 = 2.0, range::km;
            /// A file.
            #[arg(long)]
            list: std::path::PathBuf, range::any;
            /// A choice.
            #[arg(long = "paint")]
            colour: Colour = Colour::Red, range::any;
        }
    }

    #[test]
    fn defaults_fill_what_no_source_gives() {
        let r = Given::default().resolve();
        assert_eq!((r.reach_km, r.list, r.colour), (2.0, None, Colour::Red));
        let file = Given {
            reach_km: Some(3.0),
            colour: Some(Colour::Blue),
            ..Given::default()
        };
        let flags = Given {
            reach_km: Some(1.0),
            ..Given::default()
        };
        let r = flags.over(file).resolve();
        assert_eq!((r.reach_km, r.colour), (1.0, Colour::Blue));
    }

    #[test]
    fn a_value_out_of_range_names_the_key_or_the_flag() {
        let g = Given {
            reach_km: Some(-1.0),
            ..Given::default()
        };
        assert_eq!(
            g.check(false).unwrap_err().to_string(),
            "reach_km is -1.0; expected a distance >= 0 in km"
        );
        assert!(
            g.check(true)
                .unwrap_err()
                .to_string()
                .starts_with("--reach-km is -1.0")
        );
        assert_eq!(super::flag_of::<Given>("colour"), "--paint");
    }

    #[test]
    fn paths_follow_their_file_and_must_exist() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("l.csv"), "").unwrap();
        let mut g = Given {
            list: Some("l.csv".into()),
            ..Given::default()
        };
        g.rebase(dir.path()).unwrap();
        assert_eq!(g.list.as_deref(), Some(dir.path().join("l.csv").as_path()));
        let mut g = Given {
            list: Some("nope.csv".into()),
            ..Given::default()
        };
        assert_eq!(g.rebase(dir.path()).unwrap_err().key, "list");
    }

    #[test]
    fn unknown_keys_are_refused() {
        let e = toml::from_str::<Given>("reach_kms = 1.0").unwrap_err();
        assert!(e.to_string().contains("reach_kms"), "{e}");
    }

    #[test]
    fn paths_are_normalised_by_their_text() {
        let n = |p: &str| lexical(Path::new(p));
        assert_eq!(
            n("scenarios/../maps/demo/roads.geojson"),
            PathBuf::from("maps/demo/roads.geojson")
        );
        assert_eq!(n("./a/./b/../c"), PathBuf::from("a/c"));
        assert_eq!(n("../x/../../y"), PathBuf::from("../../y"));
        assert_eq!(n("/a/../../b"), PathBuf::from("/b"));
        assert_eq!(n("a/.."), PathBuf::from("."));
    }
}
