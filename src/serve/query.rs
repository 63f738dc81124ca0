//! A GET request's query string as the page writes it: each value through
//! `encodeURIComponent`, so ids with Chinese characters, spaces or commas
//! arrive percent-encoded and are decoded here before they are looked up.

use crate::model::Stage;

/// The decoded value of `name`, if the query has it.
pub fn param(query: &str, name: &str) -> Option<String> {
    raw(query, name).map(decode)
}

/// The query's `stage`; a 400 naming the value otherwise.
pub fn stage(query: &str) -> Result<Stage, (u16, String)> {
    match param(query, "stage").as_deref() {
        Some("primary") => Ok(Stage::Primary),
        Some("junior") => Ok(Stage::Junior),
        other => Err((
            400,
            format!("stage {other:?}; expected ?stage=primary or ?stage=junior"),
        )),
    }
}

/// The decoded values of a comma-separated `name` (a comma inside a value
/// is encoded, so it never splits one).
pub fn list(query: &str, name: &str) -> Option<Vec<String>> {
    Some(raw(query, name)?.split(',').map(decode).collect())
}

/// The value of `name` as the query carries it, still encoded.
fn raw<'q>(query: &'q str, name: &str) -> Option<&'q str> {
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
}

/// Percent-decoding; a malformed escape is kept as written, so the lookup
/// that follows names it in its error.
fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                out.push((hex(h).unwrap() * 16 + hex(l).unwrap()) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_decoded_and_lists_split_only_on_bare_commas() {
        let q = "zone=%E8%A5%BF%E6%B9%96%201&stage=primary&zones=a%2Cb,c";
        assert_eq!(param(q, "zone").as_deref(), Some("西湖 1"));
        assert_eq!(param(q, "stage").as_deref(), Some("primary"));
        assert_eq!(param(q, "school"), None);
        assert_eq!(list(q, "zones").unwrap(), ["a,b", "c"]);
        assert_eq!(param("zone=50%", "zone").as_deref(), Some("50%"));
        assert_eq!(param("zone=%FF", "zone").as_deref(), Some("%FF"));
    }
}
