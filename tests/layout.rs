//! The layout shows the pipeline only while modules import in one
//! direction: this test reads the sources and fails on any import cycle,
//! between the crate's top-level modules and between the files of one
//! folder (a module's `mod.rs` is the folder's own surface, not a sibling).
//! Test modules and comments are left out: a test may build with anything.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Source without comments and without the trailing `#[cfg(test)]` module.
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text[..],
    };
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Identifiers that follow `prefix` in `text` (`crate::` -> `plan`, ...).
fn after<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.match_indices(prefix)
        .map(|(i, _)| {
            let rest = &text[i + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|s| !s.is_empty())
        .collect()
}

/// Every `use` statement of a file, whole (braces and all).
fn uses(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("use ") {
        let before = rest[..i].chars().last();
        let tail = &rest[i..];
        let end = tail.find(';').unwrap_or(tail.len());
        if before.is_none_or(|c| c.is_whitespace()) {
            out.push(&tail[..end]);
        }
        rest = &tail[end.min(tail.len())..];
        if rest.is_empty() {
            break;
        }
        rest = &rest[1..];
    }
    out
}

fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|s| !s.is_empty())
}

/// A cycle in the graph, if there is one (depth-first search).
fn cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_string(), 1);
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            match state.get(next.as_str()).copied().unwrap_or(0) {
                1 => {
                    let start = path.iter().position(|n| n == next).unwrap();
                    let mut c = path[start..].to_vec();
                    c.push(next.clone());
                    return Some(c);
                }
                0 => {
                    if let Some(c) = visit(next, graph, state, path) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        path.pop();
        state.insert(node.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in graph.keys() {
        if state.get(node.as_str()).copied().unwrap_or(0) == 0
            && let Some(c) = visit(node, graph, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The library's top-level modules (the command line is the binary's).
fn library_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.retain(|f| {
        let rel = f.strip_prefix(src()).unwrap();
        !rel.starts_with("cli") && rel != Path::new("main.rs") && rel != Path::new("lib.rs")
    });
    files.sort();
    files
}

fn top_module(file: &Path) -> String {
    let rel = file.strip_prefix(src()).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

#[test]
fn top_level_modules_import_in_one_direction() {
    let files = library_files();
    let modules: BTreeSet<String> = files.iter().map(|f| top_module(f)).collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let from = top_module(file);
        for to in after(&code(file), "crate::") {
            if to != from && modules.contains(to) {
                graph
                    .entry(from.clone())
                    .or_default()
                    .insert(to.to_string());
            }
        }
    }
    assert!(
        cycle(&graph).is_none(),
        "import cycle between top-level modules: {}",
        cycle(&graph).unwrap().join(" -> ")
    );
}

/// The sibling modules of one folder and the names its `mod.rs` re-exports
/// from each.
struct Folder {
    siblings: BTreeSet<String>,
    exported_by: BTreeMap<String, String>,
}

fn folder(dir: &Path) -> Folder {
    let mut siblings = BTreeSet::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() || (path.extension().is_some_and(|e| e == "rs") && name != "mod") {
            siblings.insert(name);
        }
    }
    let mut exported_by = BTreeMap::new();
    if let Ok(text) = fs::read_to_string(dir.join("mod.rs")) {
        for u in uses(&text) {
            let Some(rest) = u.strip_prefix("use ").or_else(|| u.strip_prefix("use  ")) else {
                continue;
            };
            let child = identifiers(rest).next().unwrap_or("");
            if siblings.contains(child) {
                for name in identifiers(rest).skip(1) {
                    exported_by.insert(name.to_string(), child.to_string());
                }
            }
        }
    }
    Folder {
        siblings,
        exported_by,
    }
}

/// The siblings a file imports: `super::x` (`super::super::x` from a
/// subfolder's file), `crate::..::folder::x`, and names the folder's
/// `mod.rs` re-exports from a sibling. `depth` is how far below the folder
/// the file's own folder lies (0: a direct child).
fn sibling_imports(file: &Path, depth: usize, dir: &Path, f: &Folder) -> BTreeSet<String> {
    let text = code(file);
    let absolute = {
        let rel = dir.strip_prefix(src()).unwrap();
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().to_string())
            .collect();
        format!("crate::{}::", parts.join("::"))
    };
    let is_mod = file.file_name().is_some_and(|n| n == "mod.rs");
    let supers = if is_mod { depth } else { depth + 1 };
    let relative = "super::".repeat(supers.max(1));
    let mut found = BTreeSet::new();
    let mut note = |name: &str| {
        if f.siblings.contains(name) {
            found.insert(name.to_string());
        } else if let Some(child) = f.exported_by.get(name) {
            found.insert(child.clone());
        }
    };
    for prefix in [relative.as_str(), absolute.as_str()] {
        for u in uses(&text).into_iter().filter(|u| u.contains(prefix)) {
            let tail = &u[u.find(prefix).unwrap() + prefix.len()..];
            identifiers(tail).for_each(&mut note);
        }
        for (i, _) in text.match_indices(prefix) {
            let rest = &text[i + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            identifiers(&rest[..end]).take(1).for_each(&mut note);
        }
    }
    found
}

/// The files of a sibling (all files under it for a folder), with their
/// depth below the folder checked.
fn files_of(dir: &Path, name: &str) -> Vec<(PathBuf, usize)> {
    let sub = dir.join(name);
    if !sub.is_dir() {
        return vec![(dir.join(format!("{name}.rs")), 0)];
    }
    let mut files = Vec::new();
    rust_files(&sub, &mut files);
    files
        .into_iter()
        .map(|f| {
            let depth = f.strip_prefix(&sub).unwrap().components().count();
            (f, depth)
        })
        .collect()
}

#[test]
fn files_of_a_folder_import_in_one_direction() {
    let files = library_files();
    let dirs: BTreeSet<PathBuf> = files
        .iter()
        .map(|f| f.parent().unwrap().to_path_buf())
        .filter(|d| d != &src())
        .collect();
    for dir in dirs {
        let f = folder(&dir);
        let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for name in &f.siblings {
            let mut to = BTreeSet::new();
            for (file, depth) in files_of(&dir, name) {
                to.extend(sibling_imports(&file, depth, &dir, &f));
            }
            to.remove(name);
            graph.insert(name.clone(), to);
        }
        if let Some(c) = cycle(&graph) {
            panic!(
                "import cycle in {}: {}",
                dir.strip_prefix(src()).unwrap().display(),
                c.join(" -> ")
            );
        }
    }
}
