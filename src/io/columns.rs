//! The bureau's column names and ours: a scenario's `[columns]` table maps
//! our keys to the file's names (`primary_local = "XX_HJ"`), and without it
//! our keys and their headers from the language catalogue (经度, 学校编号, …)
//! are recognised, in every input format.

use std::collections::BTreeMap;
use std::path::Path;

use super::InputError;
use super::features::Loaded;
use crate::i18n::Lang;

/// The keys a zones or schools file is read for; each has recognised
/// headers in the catalogues' `[columns]` tables.
pub const INPUT_KEYS: &[&str] = &[
    "id",
    "name",
    "lon",
    "lat",
    "county",
    "community",
    "stage",
    "sector",
    "primary_local",
    "primary_migrant",
    "junior_local",
    "junior_migrant",
    "primary_special",
    "junior_special",
    "current_primary",
    "current_junior",
    "classes_primary",
    "classes_junior",
    "enrolled_primary",
    "enrolled_junior",
    "capacity_primary",
    "capacity_junior",
    "purchased_primary",
    "purchased_junior",
    "resource_room",
];

/// The keys a roads file is read for, OpenStreetMap's tags (`speed_kmh`
/// ours): a bureau's layer names them its own way (`DLDJ` for 道路等级).
pub const ROAD_KEYS: &[&str] = &[
    "highway",
    "oneway",
    "foot",
    "access",
    "junction",
    "bridge",
    "tunnel",
    "speed_kmh",
];

/// Our keys mapped to one file's column names.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    /// Our key -> the file's name, from the scenario's `[columns]` table.
    pub names: BTreeMap<String, String>,
    /// Keys mapped for this file alone (`[columns.zones]`): a name the file
    /// lacks is an error, while a shared mapping applies where it fits.
    pub own: Vec<String>,
}

impl Columns {
    /// A scenario's `[columns]` table: strings for every file, and tables
    /// `zones`, `schools`, `roads` for one. `file`: which one is read.
    pub fn from_table(table: &toml::Table, file: &str) -> Result<Columns, String> {
        let mut columns = Columns::default();
        for (key, value) in table {
            match value {
                toml::Value::String(name) => {
                    columns.names.insert(key.clone(), name.clone());
                }
                toml::Value::Table(_) if ["zones", "schools", "roads"].contains(&key.as_str()) => {}
                other => {
                    return Err(format!(
                        "`columns.{key}` is {other}; expected the file's column name as a string (primary_local = \"XX_HJ\") or a table [columns.zones] / [columns.schools] / [columns.roads]"
                    ));
                }
            }
        }
        if let Some(toml::Value::Table(own)) = table.get(file) {
            for (key, value) in own {
                let Some(name) = value.as_str() else {
                    return Err(format!(
                        "`columns.{file}.{key}` is {value}; expected the file's column name as a string"
                    ));
                };
                if file == "roads" && !ROAD_KEYS.contains(&key.as_str()) {
                    return Err(format!(
                        "`columns.roads.{key}` is no key of a roads file; a roads file is read for {}",
                        ROAD_KEYS.join(", ")
                    ));
                }
                columns.names.insert(key.clone(), name.to_string());
                columns.own.push(key.clone());
            }
        }
        Ok(columns)
    }
}

/// Our key for a header the catalogue recognises (case and spaces aside).
pub fn recognised(header: &str) -> Option<&'static str> {
    let h = header.trim().to_lowercase();
    INPUT_KEYS.iter().copied().find(|key| {
        *key == h
            || Lang::ALL.into_iter().any(|lang| {
                lang.text(&format!("columns.{key}"))
                    .split('|')
                    .any(|alias| alias.trim().to_lowercase() == h)
            })
    })
}

/// The file's column names (properties), in order of first appearance.
pub fn headers(loaded: &Loaded) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for f in &loaded.features {
        for key in f.properties.iter().flat_map(|p| p.keys()) {
            if seen.insert(key.clone()) {
                out.push(key.clone());
            }
        }
    }
    out
}

/// The file's columns as an error lists them.
pub fn listed(headers: &[String]) -> String {
    if headers.is_empty() {
        return "none".into();
    }
    headers
        .iter()
        .map(|h| format!("\"{h}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Renames the file's columns to our keys in every feature: the mapped
/// names first, then recognised headers where our key is not given.
/// Returns the file's own headers, for later errors.
pub fn apply(
    path: &Path,
    loaded: &mut Loaded,
    columns: &Columns,
) -> Result<Vec<String>, InputError> {
    let headers = headers(loaded);
    let mut renames = mapped(path, &headers, columns)?;
    for header in &headers {
        if renames.iter().any(|(t, o)| t == header || o == header)
            || INPUT_KEYS.contains(&header.as_str())
        {
            continue;
        }
        if let Some(ours) = recognised(header)
            && !headers.iter().any(|h| h == ours)
            && !renames.iter().any(|(_, o)| o == ours)
        {
            renames.push((header.clone(), ours.to_string()));
        }
    }
    rename(loaded, &renames);
    Ok(headers)
}

/// Renames only the columns the scenario maps: a road layer's other
/// columns are the bureau's business, not zones' headers to recognise.
pub fn apply_mapped(path: &Path, loaded: &mut Loaded, columns: &Columns) -> Result<(), InputError> {
    let renames = mapped(path, &headers(loaded), columns)?;
    rename(loaded, &renames);
    Ok(())
}

/// (the file's name, our key) for every mapped name the file has; a name
/// mapped for this file alone that it lacks is an error listing its
/// columns.
fn mapped(
    path: &Path,
    headers: &[String],
    columns: &Columns,
) -> Result<Vec<(String, String)>, InputError> {
    let mut renames = Vec::new();
    for (ours, theirs) in &columns.names {
        if headers.contains(theirs) {
            renames.push((theirs.clone(), ours.clone()));
        } else if columns.own.contains(ours) {
            return Err(InputError::UnknownColumn {
                path: path.to_path_buf(),
                key: ours.clone(),
                name: theirs.clone(),
                columns: listed(headers),
            });
        }
    }
    Ok(renames)
}

fn rename(loaded: &mut Loaded, renames: &[(String, String)]) {
    if renames.is_empty() {
        return;
    }
    for props in loaded
        .features
        .iter_mut()
        .filter_map(|f| f.properties.as_mut())
    {
        for (theirs, ours) in renames {
            if let Some(v) = props.remove(theirs) {
                props.insert(ours.clone(), v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn loaded(props: serde_json::Value) -> Loaded {
        let feature = geojson::Feature {
            properties: props.as_object().cloned(),
            ..Default::default()
        };
        Loaded::indexed(vec![feature])
    }

    #[test]
    fn chinese_headers_and_our_keys_in_any_case_are_recognised() {
        assert_eq!(recognised("经度"), Some("lon"));
        assert_eq!(recognised(" 学校编号 "), Some("id"));
        assert_eq!(recognised("Latitude"), Some("lat"));
        assert_eq!(recognised("PRIMARY_LOCAL"), Some("primary_local"));
        assert_eq!(recognised("district"), None);
    }

    #[test]
    fn mapped_names_win_and_a_missing_own_mapping_lists_the_columns() {
        let mut l = loaded(json!({"XX_HJ": 3, "名称": "甲", "name": "A", "经度": 120.0}));
        let table: toml::Table =
            toml::from_str("primary_local = \"XX_HJ\"\nnot_here = \"Q\"\n[columns_unused]\n")
                .map(|mut t: toml::Table| {
                    t.remove("columns_unused");
                    t
                })
                .unwrap();
        let columns = Columns::from_table(&table, "zones").unwrap();
        apply(Path::new("z.csv"), &mut l, &columns).unwrap();
        let p = l.features[0].properties.as_ref().unwrap();
        assert_eq!(p["primary_local"], json!(3));
        assert_eq!(
            p["name"],
            json!("A"),
            "our own key is not replaced by an alias"
        );
        assert_eq!(p["名称"], json!("甲"));
        assert_eq!(p["lon"], json!(120.0));
        let table: toml::Table = toml::from_str("[zones]\nname = \"小区名\"\n").unwrap();
        let columns = Columns::from_table(&table, "zones").unwrap();
        let err = apply(Path::new("z.csv"), &mut l, &columns)
            .unwrap_err()
            .to_string();
        assert!(err.contains("小区名") && err.contains("\"名称\""), "{err}");
        assert!(Columns::from_table(&toml::from_str("id = 3").unwrap(), "zones").is_err());
    }
}
