//! The layering rule, read from the sources (docs/architecture.md: lossless YAML → KRM → engine
//! → API families → pipeline): no module imports one of a higher layer, no two modules import
//! each other (directly or round a loop), families never import each other or the framings, no
//! API family's vocabulary is written below the family layer, and no function of the engine or a
//! family grows past one screen.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The layers, bottom up, by the first segment of a module path.
const LAYERS: [(&str, usize); 11] = [
    ("yaml", 0),
    // Did-you-mean: the readers keep misspelt annotations by it, the families name them.
    ("suggest", 0),
    ("error", 1),
    ("krm", 2),
    ("engine", 3),
    ("families", 4),
    // The pipeline, and the explain report it builds from a run's decisions.
    ("pipeline", 5),
    ("explain", 5),
    // The policy measures (gap, depth): they read both families' semantics, so they sit beside
    // the pipeline that runs both.
    ("policy", 5),
    // The review of a change: two runs' descriptions compared (it reads the policy measures).
    ("review", 5),
    ("", 6), // lib.rs
];

/// Modules of `families/` that no family owns: what the families share (they may import these,
/// and these import no family).
const SHARED_BY_FAMILIES: [&str; 1] = ["common"];

/// The framings: only the pipeline drives them.
const FRAMINGS: [&str; 2] = ["krm::resource_list", "krm::stream"];

/// Words of the API families (groups, annotations) that must not appear below them. The
/// product's own names (`autobackup.stash.appscode.com`) are ours, not a family's.
const VOCABULARY: [&str; 3] = ["appscode", "kubedb", "kubestash"];
const OURS: &str = "autobackup.stash.appscode.com";

/// Each module path, and the module paths it imports.
type Graph = BTreeMap<Vec<String>, BTreeSet<Vec<String>>>;

struct Module {
    path: Vec<String>,
    file: PathBuf,
    /// The source without its `#[cfg(test)]` part.
    code: String,
}

fn modules() -> Vec<Module> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&src, &mut files);
    let mut modules = Vec::new();
    for file in files {
        let relative = file.strip_prefix(&src).unwrap().with_extension("");
        let mut path: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        if path.first().is_some_and(|p| p == "main" || p == "cli") {
            continue; // the binary: it sees only the library's facade
        }
        if path.last().is_some_and(|p| p == "mod" || p == "lib") {
            path.pop();
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let code = match text.find("#[cfg(test)]") {
            Some(at) => text[..at].to_owned(),
            None => text,
        };
        modules.push(Module { path, file, code });
    }
    assert!(modules.len() > 20, "src/ holds the modules");
    modules
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
}

fn layer(path: &[String]) -> usize {
    let first = path.first().map_or("", String::as_str);
    LAYERS
        .iter()
        .find(|(name, _)| *name == first)
        .map(|(_, rank)| *rank)
        .unwrap_or_else(|| panic!("module {path:?} is in no layer: add it to LAYERS"))
}

/// The module paths `code` names through `crate::` and `super::` (with `use` groups expanded
/// one level), resolved against `here`.
fn imports(here: &[String], is_folder: bool, code: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < code.len() {
        let at = &bytes[i..];
        let starts = (at.starts_with(b"crate::") || at.starts_with(b"super::"))
            && (i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_'));
        if !starts {
            i += 1;
            continue;
        }
        let rest = &code[i..];
        // The module the path starts from: the crate root, or this module's parent (a
        // folder's mod.rs is its folder's module, so `super` is one level further up).
        let mut base: Vec<String> = Vec::new();
        let mut segments = Vec::new();
        let mut j = i;
        let mut supers = 0;
        if rest.starts_with("crate::") {
            j += "crate::".len();
        } else {
            while code[j..].starts_with("super::") {
                supers += 1;
                j += "super::".len();
            }
            base = here.to_vec();
            if !is_folder || supers > 0 {
                for _ in 0..supers {
                    base.pop();
                }
            }
        }
        let mut group = Vec::new();
        loop {
            let ident: String = code[j..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !ident.is_empty() {
                j += ident.len();
                segments.push(ident);
                if code[j..].starts_with("::") {
                    j += 2;
                    continue;
                }
            } else if code[j..].starts_with('{') {
                let end = code[j..].find('}').map_or(code.len(), |e| j + e);
                group = code[j + 1..end]
                    .split(',')
                    .map(|item| {
                        item.trim()
                            .split([':', ' '])
                            .next()
                            .unwrap_or_default()
                            .to_owned()
                    })
                    .filter(|item| !item.is_empty() && item != "self")
                    .collect();
                j = end;
            }
            break;
        }
        let mut path = base;
        path.extend(segments);
        if group.is_empty() {
            found.push(path);
        } else {
            for item in group {
                let mut p = path.clone();
                p.push(item);
                found.push(p);
            }
        }
        i = j.max(i + 1);
    }
    found
}

/// The module a path names: its longest prefix that is a module.
fn resolve(path: &[String], known: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (0..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| known.contains(p))
}

fn graph() -> (Vec<Module>, Graph) {
    let modules = modules();
    let known: BTreeSet<Vec<String>> = modules.iter().map(|m| m.path.clone()).collect();
    let mut edges = BTreeMap::new();
    for module in &modules {
        let is_folder = module.file.ends_with("mod.rs") || module.file.ends_with("lib.rs");
        let targets: BTreeSet<Vec<String>> = imports(&module.path, is_folder, &module.code)
            .iter()
            .filter_map(|p| resolve(p, &known))
            // A module using its own submodules is no dependency between modules.
            .filter(|t| !t.starts_with(&module.path))
            .collect();
        edges.insert(module.path.clone(), targets);
    }
    (modules, edges)
}

fn name(path: &[String]) -> String {
    if path.is_empty() {
        "lib".to_owned()
    } else {
        path.join("::")
    }
}

#[test]
fn imports_point_down() {
    let (_, edges) = graph();
    let mut wrong = Vec::new();
    for (from, targets) in &edges {
        for to in targets {
            if layer(to) > layer(from) {
                wrong.push(format!(
                    "{} (lower) imports {} (higher)",
                    name(from),
                    name(to)
                ));
            }
            let family = |p: &[String]| {
                let name = (p.first()? == "families").then(|| p.get(1).cloned())??;
                (!SHARED_BY_FAMILIES.contains(&name.as_str())).then_some(name)
            };
            let shared = from.first().is_some_and(|f| f == "families")
                && from
                    .get(1)
                    .is_some_and(|m| SHARED_BY_FAMILIES.contains(&m.as_str()));
            if let (true, Some(b)) = (shared, family(to)) {
                wrong.push(format!(
                    "{} (shared by the families) imports family {b}",
                    name(from)
                ));
            }
            if let (Some(a), Some(b)) = (family(from), family(to))
                && a != b
            {
                wrong.push(format!(
                    "family {a} imports family {b} ({} → {})",
                    name(from),
                    name(to)
                ));
            }
            let below_pipeline = matches!(
                from.first().map(String::as_str),
                Some("families" | "engine")
            );
            if below_pipeline && FRAMINGS.contains(&name(to).as_str()) {
                wrong.push(format!("{} imports the framing {}", name(from), name(to)));
            }
        }
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

#[test]
fn no_import_cycle() {
    let (_, edges) = graph();
    // Depth-first search with colours; a grey node reached again closes a cycle.
    fn visit(
        node: &Vec<String>,
        edges: &Graph,
        colour: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<String>> {
        colour.insert(node.clone(), 1);
        stack.push(node.clone());
        for next in edges.get(node).into_iter().flatten() {
            match colour.get(next).copied().unwrap_or(0) {
                1 => {
                    let at = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle: Vec<String> = stack[at..].iter().map(|n| name(n)).collect();
                    cycle.push(name(next));
                    return Some(cycle);
                }
                0 => {
                    if let Some(cycle) = visit(next, edges, colour, stack) {
                        return Some(cycle);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        colour.insert(node.clone(), 2);
        None
    }
    let mut colour = BTreeMap::new();
    for node in edges.keys() {
        if colour.get(node).copied().unwrap_or(0) == 0
            && let Some(cycle) = visit(node, &edges, &mut colour, &mut Vec::new())
        {
            panic!("import cycle: {}", cycle.join(" → "));
        }
    }
}

#[test]
fn no_family_vocabulary_below_the_families() {
    let mut wrong = Vec::new();
    for module in modules() {
        if layer(&module.path) >= layer(&["families".to_owned()]) {
            continue;
        }
        let code = module.code.to_lowercase().replace(OURS, "");
        for word in VOCABULARY {
            if let Some(at) = code.find(word) {
                let line = code[..at].matches('\n').count() + 1;
                wrong.push(format!("{}:{line}: `{word}`", module.file.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "family words below the family layer:\n{}",
        wrong.join("\n")
    );
}

/// The checks above must see real imports: a module that imports nothing would pass them all.
#[test]
fn the_import_reader_sees_imports() {
    let (_, edges) = graph();
    let edge = |from: &str, to: &str| {
        let key: Vec<String> = from.split("::").map(str::to_owned).collect();
        let to: Vec<String> = to.split("::").map(str::to_owned).collect();
        edges.get(&key).is_some_and(|t| t.contains(&to))
    };
    assert!(edge("families::stash::generate", "engine::reconcile"));
    assert!(edge("krm::read::yaml", "yaml::events"));
    assert!(
        edge("krm::read::yaml", "krm::read"),
        "super:: groups resolve"
    );
    assert!(edge("pipeline", "families::stash"));
    let count: usize = edges.values().map(BTreeSet::len).sum();
    assert!(count > 60, "only {count} imports found");
}

/// The longest a function of the engine or of a family may be: beyond it, a function does more
/// than one step, and the next capability copies a part of it instead of calling it.
const LONGEST_FUNCTION: usize = 80;

/// The functions of `code` (without its tests), each with its first line and its length in
/// lines: from the `fn` line to the `}` at the same indentation.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let after_visibility = trimmed
            .strip_prefix("pub(crate) ")
            .or_else(|| trimmed.strip_prefix("pub(super) "))
            .or_else(|| trimmed.strip_prefix("pub "))
            .unwrap_or(trimmed);
        let after_const = after_visibility
            .strip_prefix("const ")
            .unwrap_or(after_visibility);
        let Some(rest) = after_const.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        // A declaration without a body (a trait's) ends on its own line.
        if line.trim_end().ends_with(';') {
            continue;
        }
        let end = lines[start..].iter().position(|l| {
            l.len() > indent && l[..indent].trim().is_empty() && l[indent..].starts_with('}')
        });
        if let Some(end) = end {
            found.push((name, start + 1, end + 1));
        }
    }
    found
}

#[test]
fn no_function_of_the_engine_or_a_family_is_over_the_limit() {
    let mut long = Vec::new();
    let mut measured = 0;
    for module in modules() {
        let first = module.path.first().map(String::as_str);
        if !matches!(first, Some("engine" | "families"))
            || module.path.last().is_some_and(|p| p == "tests")
        {
            continue;
        }
        for (name, line, length) in functions(&module.code) {
            measured += 1;
            if length > LONGEST_FUNCTION {
                long.push(format!(
                    "{}:{line}: {name} has {length} lines",
                    module.file.display()
                ));
            }
        }
    }
    assert!(
        measured > 300,
        "the reader finds the functions ({measured})"
    );
    assert!(
        long.is_empty(),
        "split these into steps (at most {LONGEST_FUNCTION} lines each):\n{}",
        long.join("\n")
    );
}

#[test]
fn the_function_reader_measures_bodies() {
    let code = "fn a() {\n    x();\n}\n\nimpl B {\n    pub fn c(&self) -> u8 {\n        if y {\n        }\n        1\n    }\n    fn d();\n}\n";
    let found = functions(code);
    assert_eq!(found, [("a".to_owned(), 1, 3), ("c".to_owned(), 6, 5)]);
}
