//! JSON objects whose keys are each given once.
//!
//! JSON parsers (ours included) keep the last of two equal keys and drop
//! the first without a word, so a feature written `"primary_local": 40, …,
//! "primary_local": 4` would plan with 4 children. This pass walks the
//! document without building it and stops at the first repeated key,
//! naming where it is (`features[3].properties`), so that the bureau fixes
//! the file instead of publishing a plan for numbers nobody meant.

use std::collections::HashSet;
use std::fmt;

use serde::de::{DeserializeSeed, Error, MapAccess, SeqAccess, Visitor};

/// Where a value sits in the document, built on the stack as the walk
/// descends, so that no path is allocated unless a key repeats.
#[derive(Clone, Copy)]
enum Step<'a> {
    Root,
    Key(&'a Step<'a>, &'a str),
    Index(&'a Step<'a>, usize),
}

impl fmt::Display for Step<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Root => f.write_str("the top level"),
            Step::Key(Step::Root, key) => f.write_str(key),
            Step::Index(Step::Root, i) => write!(f, "[{i}]"),
            Step::Key(parent, key) => write!(f, "{parent}.{key}"),
            Step::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// The first repeated key of `text`, as a message naming the object and
/// the key (with serde_json's line and column), or `None` when every
/// object's keys are unique. Syntax errors are left to the real parse.
pub fn repeated_key(text: &str) -> Option<String> {
    let mut de = serde_json::Deserializer::from_str(text);
    match Walk(Step::Root).deserialize(&mut de) {
        Err(e) if e.is_data() => Some(e.to_string()),
        _ => None,
    }
}

struct Walk<'a>(Step<'a>);

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while seq
            .next_element_seed(Walk(Step::Index(&self.0, i)))?
            .is_some()
        {
            i += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            if seen.contains(&key) {
                let place = match self.0 {
                    Step::Root => "the top-level object".to_string(),
                    at => format!("the object {at}"),
                };
                return Err(A::Error::custom(format!(
                    "{place} gives the key \"{key}\" twice (JSON readers keep only the last, silently); expected each key once: delete or rename one of them"
                )));
            }
            map.next_value_seed(Walk(Step::Key(&self.0, &key)))?;
            seen.insert(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_key_is_named_with_its_object() {
        let text = r#"{"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"id": "Z1"}},
            {"type": "Feature", "properties": {"id": "Z2", "primary_local": 40, "primary_local": 4}}
        ]}"#;
        let message = repeated_key(text).unwrap();
        assert!(
            message.contains("features[1].properties") && message.contains("\"primary_local\""),
            "{message}"
        );
        assert!(message.contains("line 3"), "{message}");
        assert_eq!(
            repeated_key(r#"{"a": {"b": 1}, "c": [{"b": 2}, {"b": 3}]}"#),
            None
        );
        assert!(
            repeated_key(r#"{"a": 1, "a": 2}"#)
                .unwrap()
                .contains("top-level")
        );
        assert_eq!(repeated_key("{not json"), None);
    }
}
