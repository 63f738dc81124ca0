//! The language of every document a person reads: one catalogue per
//! language (`zh.toml`, `en.toml`), so that a translator edits one file.
//!
//! Catalogues are tables of flat keys whose values are strings with
//! `{name}` placeholders; a key is looked up as `table.key`. Both are
//! compiled into the binary and parsed once. Machine-read names (JSON keys,
//! GeoJSON properties) never go through here.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

/// The language of the documents: simplified Chinese by default (the users
/// are Chinese bureaus), English on request.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

type Catalogue = HashMap<String, String>;

const ZH: &str = include_str!("zh.toml");
const EN: &str = include_str!("en.toml");

impl crate::options::OptionValue for Lang {}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::Zh, Lang::En];

    /// `"zh"` or `"en"`, as written in a scenario or after `--lang`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The catalogue file as written (the officers' map takes its `[web]`
    /// table whole).
    pub fn catalogue_text(self) -> &'static str {
        match self {
            Lang::Zh => ZH,
            Lang::En => EN,
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }

    fn catalogue(self) -> &'static Catalogue {
        static CATALOGUES: OnceLock<[Catalogue; 2]> = OnceLock::new();
        let both = CATALOGUES.get_or_init(|| {
            [ZH, EN].map(|text| parse(text).expect("the built-in catalogue is valid TOML"))
        });
        &both[self as usize]
    }

    /// The text of `key` (`table.key`). A key missing from the catalogue is
    /// a bug the catalogue test catches; the key itself is shown then, so
    /// that a document is never cut short.
    pub fn text(self, key: &str) -> &'static str {
        match self.catalogue().get(key) {
            Some(text) => text.as_str(),
            None => {
                debug_assert!(false, "no text for {key} in {}.toml", self.key());
                Box::leak(key.to_string().into_boxed_str())
            }
        }
    }

    /// Whether the catalogue has `key`.
    pub fn has(self, key: &str) -> bool {
        self.catalogue().contains_key(key)
    }

    /// The text of `key` with each `{name}` replaced by its value.
    pub fn fill(self, key: &str, args: &[(&str, &dyn Display)]) -> String {
        let template = self.text(key);
        let mut out = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            match after.find('}') {
                Some(close) => {
                    let name = &after[..close];
                    match args.iter().find(|(n, _)| *n == name) {
                        Some((_, value)) => out.push_str(&value.to_string()),
                        None => {
                            out.push('{');
                            out.push_str(name);
                            out.push('}');
                        }
                    }
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// A count as its readers write it: `5,263` in Chinese documents,
    /// `5263` in English ones (as they always were).
    pub fn count(self, n: impl Into<u64>) -> String {
        let digits = n.into().to_string();
        if self == Lang::En {
            return digits;
        }
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        out
    }

    /// The stage's name in this language.
    pub fn stage(self, stage: crate::model::Stage) -> &'static str {
        self.text(&format!("stage.{}", stage.key()))
    }

    /// A school's kind in this language (`nine_year` in English tables,
    /// 九年一贯制 in Chinese).
    pub fn school_kind(self, kind: crate::model::SchoolKind) -> &'static str {
        self.text(&format!("project.kind_{}", kind.key()))
    }

    /// 公办 / 民办, or the English key.
    pub fn sector(self, sector: crate::model::Sector) -> &'static str {
        self.text(&format!("project.sector_{}", sector.key()))
    }
}

/// `tr!(lang, "table.key")` or `tr!(lang, "table.key", name = value, …)`.
#[macro_export]
macro_rules! tr {
    ($lang:expr, $key:expr) => {
        $lang.text($key)
    };
    ($lang:expr, $key:expr, $($name:ident = $value:expr),+ $(,)?) => {
        $lang.fill($key, &[$((stringify!($name), &$value as &dyn std::fmt::Display)),+])
    };
}

/// Flattens `[table] key = "text"` into `table.key`.
fn parse(text: &str) -> Result<Catalogue, String> {
    let root: toml::Table = text.parse().map_err(|e| format!("{e}"))?;
    let mut out = Catalogue::new();
    for (table, entries) in root {
        let toml::Value::Table(entries) = entries else {
            return Err(format!("{table}: expected a table of texts"));
        };
        for (key, value) in entries {
            let toml::Value::String(value) = value else {
                return Err(format!("{table}.{key}: expected a string"));
            };
            out.insert(format!("{table}.{key}"), value);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(text: &str) -> BTreeSet<String> {
        parse(text).unwrap().into_keys().collect()
    }

    #[test]
    fn every_key_is_in_both_languages() {
        let (zh, en) = (keys(ZH), keys(EN));
        let only_zh: Vec<_> = zh.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&zh).collect();
        assert!(only_zh.is_empty(), "missing in en.toml: {only_zh:?}");
        assert!(only_en.is_empty(), "missing in zh.toml: {only_en:?}");
    }

    #[test]
    fn chinese_texts_use_only_the_english_placeholders() {
        let placeholders = |s: &str| -> BTreeSet<String> {
            s.split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_string()))
                .collect()
        };
        let (zh, en) = (parse(ZH).unwrap(), parse(EN).unwrap());
        for (key, text) in &zh {
            let (zh, en) = (placeholders(text), placeholders(&en[key]));
            assert!(
                zh.is_subset(&en),
                "{key}: zh.toml uses {zh:?}, the program gives only {en:?}"
            );
        }
    }

    #[test]
    fn fill_replaces_named_placeholders() {
        assert_eq!(
            Lang::En.fill("stage.primary", &[("x", &1)]),
            Lang::En.text("stage.primary")
        );
        let s = Lang::En.fill("report.title", &[("scenario", &"demo")]);
        assert!(s.contains("demo"), "{s}");
    }

    #[test]
    fn chinese_counts_have_thousands_separators() {
        assert_eq!(Lang::Zh.count(5263u64), "5,263");
        assert_eq!(Lang::Zh.count(1234567u64), "1,234,567");
        assert_eq!(Lang::Zh.count(999u64), "999");
        assert_eq!(Lang::En.count(5263u64), "5263");
    }
}
