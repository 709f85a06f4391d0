//! The layout's rules, checked on the source text: a module may use only
//! modules of a lower layer (`LAYERS`), and no modules use one another in a
//! circle, inside a folder as across folders. A `mod.rs` that declares and
//! re-exports its children is one module; a child that imports it back
//! (through `super::` or `crate::folder::`) closes a circle.
//!
//! Paths are read from `use` lines and from inline `crate::`, `super::` and
//! `self::` paths (with `{}` groups), and, in a folder's `mod.rs`, from
//! paths that start with one of its child modules. Each path counts as a
//! use of the longest module it names. Test modules and comments are left
//! out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The layer of each top-level module: lower numbers are used by higher ones.
const LAYERS: &[(&str, u8)] = &[
    ("config", 0),
    ("mail", 0),
    ("telemetry", 1),
    ("official", 1),
    ("accounts", 1),
    ("lab", 1),
    ("map", 2),
    ("store", 3),
    ("realtime", 4),
    ("import", 4),
    ("published", 4),
    ("digest", 5),
    ("participation", 5),
    ("http", 6),
    ("server", 7),
    ("admin", 7),
    ("layering", 8),
];

type Module = Vec<String>;

/// Every module of the crate: its path and its source without tests and comments.
fn modules(root: &Path) -> BTreeMap<Module, String> {
    let mut found = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let relative = path.strip_prefix(root).expect("under src");
            let mut segments: Vec<String> = relative
                .iter()
                .map(|s| s.to_string_lossy().trim_end_matches(".rs").to_string())
                .collect();
            if segments.last().is_some_and(|s| s == "mod") {
                segments.pop();
            }
            if segments == ["lib"] || segments == ["main"] {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read source");
            found.insert(segments, code_only(&text));
        }
    }
    found
}

/// The text without `#[cfg(test)]` items and comment lines.
fn code_only(text: &str) -> String {
    let cut = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..cut]
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .map(|l| match l.find(" // ") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The paths that start at `at` (just after `crate::` or similar), with groups expanded.
fn paths_at(text: &str, at: usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) -> usize {
    let bytes = text.as_bytes();
    let mut i = at;
    let mut path = prefix;
    loop {
        if text[i..].starts_with('{') {
            i += 1;
            loop {
                while i < bytes.len() && (bytes[i] as char).is_whitespace() {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'}' {
                    return i + 1;
                }
                if bytes[i] == b',' {
                    i += 1;
                    continue;
                }
                i = paths_at(text, i, path.clone(), out);
            }
        }
        let start = i;
        while i < bytes.len() && is_ident(bytes[i] as char) {
            i += 1;
        }
        if start == i {
            out.push(path);
            return i;
        }
        path.push(text[start..i].to_string());
        if text[i..].starts_with("::") {
            i += 2;
        } else {
            out.push(path);
            return i;
        }
    }
}

/// The modules `module` uses.
fn uses(
    module: &Module,
    text: &str,
    all: &BTreeMap<Module, String>,
    is_folder: bool,
) -> BTreeSet<Module> {
    let mut paths = Vec::new();
    let parent: Module = if is_folder {
        module[..module.len().saturating_sub(1)].to_vec()
    } else {
        module.clone()
    };
    let bytes = text.as_bytes();
    for (i, _) in text.char_indices() {
        if i > 0 && is_ident(bytes[i - 1] as char) || (i > 1 && &bytes[i - 2..i] == b"::") {
            continue;
        }
        let rest = &text[i..];
        if let Some(after) = rest.strip_prefix("crate::") {
            paths_at(text, text.len() - after.len(), Vec::new(), &mut paths);
        } else if let Some(after) = rest.strip_prefix("super::") {
            // `super` of a folder's mod.rs is the folder's parent.
            let base = if is_folder {
                parent.clone()
            } else {
                module[..module.len() - 1].to_vec()
            };
            paths_at(text, text.len() - after.len(), base, &mut paths);
        } else if let Some(after) = rest.strip_prefix("self::") {
            paths_at(text, text.len() - after.len(), module.clone(), &mut paths);
        } else if is_folder {
            // A child named at the start of a path, in its folder's mod.rs.
            let end = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
            let name = &rest[..end];
            if !name.is_empty() && rest[end..].starts_with("::") {
                let mut child = module.clone();
                child.push(name.to_string());
                if all.contains_key(&child) {
                    paths_at(text, i, module.clone(), &mut paths);
                }
            }
        }
    }
    paths
        .into_iter()
        .filter_map(|path| {
            (1..=path.len())
                .rev()
                .map(|n| path[..n].to_vec())
                .find(|candidate| all.contains_key(candidate))
        })
        .filter(|target| target != module)
        .collect()
}

fn layer(module: &Module) -> u8 {
    let top = module.first().map(String::as_str).unwrap_or("");
    LAYERS
        .iter()
        .find(|(name, _)| *name == top)
        .map(|(_, l)| *l)
        .unwrap_or_else(|| panic!("module `{top}` has no layer in LAYERS"))
}

fn name(module: &Module) -> String {
    module.join("::")
}

/// The graph of uses between the crate's modules.
fn graph() -> BTreeMap<Module, BTreeSet<Module>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let all = modules(&root);
    all.iter()
        .map(|(module, text)| {
            let mut file = root.join(module.join("/"));
            file.push("mod.rs");
            let is_folder = file.exists();
            (module.clone(), uses(module, text, &all, is_folder))
        })
        .collect()
}

/// Strongly connected components with more than one module (Tarjan).
fn circles(graph: &BTreeMap<Module, BTreeSet<Module>>) -> Vec<Vec<Module>> {
    struct Walk<'a> {
        graph: &'a BTreeMap<Module, BTreeSet<Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        found: Vec<Vec<Module>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a Module) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let Some((w, _)) = self.graph.get_key_value(w) else {
                    continue;
                };
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.clone());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.found
}

#[test]
fn no_module_uses_one_above_it() {
    let graph = graph();
    assert!(graph.len() > 40, "the walk found {} modules", graph.len());
    let mut wrong = Vec::new();
    for (from, targets) in &graph {
        for to in targets {
            if from[0] != to[0] && layer(from) <= layer(to) {
                wrong.push(format!(
                    "{} (layer {}) uses {} (layer {})",
                    name(from),
                    layer(from),
                    name(to),
                    layer(to)
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "uses against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_modules_use_each_other_in_a_circle() {
    let found = circles(&graph());
    let text: Vec<String> = found
        .iter()
        .map(|c| c.iter().map(name).collect::<Vec<_>>().join(", "))
        .collect();
    assert!(text.is_empty(), "modules in a circle:\n{}", text.join("\n"));
}

#[test]
fn the_checks_see_a_circle_and_a_use_upwards() {
    let text = "use crate::b::{x, c::y};\nfn f() { super::d::z(); }";
    let all: BTreeMap<Module, String> = [
        vec!["a".to_string(), "e".to_string()],
        vec!["b".into()],
        vec!["b".into(), "c".into()],
        vec!["a".into(), "d".into()],
    ]
    .into_iter()
    .map(|m| (m, String::new()))
    .collect();
    let found = uses(&vec!["a".into(), "e".into()], text, &all, false);
    let expected: BTreeSet<Module> = [
        vec!["b".to_string()],
        vec!["b".into(), "c".into()],
        vec!["a".into(), "d".into()],
    ]
    .into_iter()
    .collect();
    assert_eq!(found, expected);
    // A folder's mod.rs names its children without `self::`.
    let found = uses(
        &vec!["a".into()],
        "pub use e::Z;\nfn g() { d::w(); f::v(); }",
        &all,
        true,
    );
    let expected: BTreeSet<Module> = [
        vec!["a".to_string(), "e".to_string()],
        vec!["a".into(), "d".into()],
    ]
    .into_iter()
    .collect();
    assert_eq!(found, expected);
    let graph: BTreeMap<Module, BTreeSet<Module>> = [
        (vec!["a".to_string()], [vec!["b".to_string()]].into()),
        (vec!["b".to_string()], [vec!["a".to_string()]].into()),
        (vec!["c".to_string()], [vec!["a".to_string()]].into()),
    ]
    .into_iter()
    .collect();
    assert_eq!(
        circles(&graph),
        vec![vec![vec!["a".to_string()], vec!["b".to_string()]]]
    );
}
