//! The map's text per language: the `[web]` table of `src/i18n/zh.toml`
//! (the default) and `src/i18n/en.toml` (on request), compiled in and
//! served to the page as one JSON object (`GET /api/strings`), so that
//! every word the page shows lives in one table per language.

use serde_json::{Map, Value};

pub use crate::i18n::Lang;

/// The `[web]` table of a language as a JSON object of strings.
pub fn web_strings(lang: Lang) -> Value {
    let table: toml::Table =
        toml::from_str(lang.catalogue_text()).expect("the bundled strings are TOML");
    let web = table
        .get("web")
        .and_then(|w| w.as_table())
        .expect("the bundled strings have a [web] table");
    let strings: Map<String, Value> = web
        .iter()
        .map(|(k, v)| {
            let s = v.as_str().expect("every [web] value is a string");
            (k.clone(), Value::String(s.to_string()))
        })
        .collect();
    Value::Object(strings)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `{name}` placeholders of a string, sorted.
    fn placeholders(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn chinese_and_english_have_the_same_keys_and_placeholders() {
        let (zh, en) = (web_strings(Lang::Zh), web_strings(Lang::En));
        let (zh, en) = (zh.as_object().unwrap(), en.as_object().unwrap());
        let keys = |m: &Map<String, Value>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(zh), keys(en));
        for (k, v) in zh {
            let (a, b) = (v.as_str().unwrap(), en[k].as_str().unwrap());
            assert!(!a.is_empty() && !b.is_empty(), "{k} is empty");
            assert_eq!(placeholders(a), placeholders(b), "{k}: {a} / {b}");
        }
    }

    #[test]
    fn languages_by_key() {
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse(Lang::Zh.key()), Some(Lang::Zh));
        assert_eq!(Lang::parse("fr"), None);
        assert_eq!(Lang::default(), Lang::Zh);
    }
}
