//! The code's shape: every folder of `src/` is a layer, and a layer imports only from
//! itself and the layers before it in `LAYERS` (README, "Architecture"). An import that
//! points up a layer fails here, naming the file and line.

use std::path::Path;

/// The layers, from the bottom up.
const LAYERS: [&str; 10] = [
    "base", "input", "model", "markup", "site", "render", "outputs", "build", "serve", "app",
];

fn rank(layer: &str) -> Option<usize> {
    LAYERS.iter().position(|l| *l == layer)
}

/// The layers a line of Rust names through `crate::`, including each of a
/// `use crate::{a::x, b::y}` group.
fn named_layers(line: &str) -> Vec<String> {
    let mut layers = Vec::new();
    for (at, _) in line.match_indices("crate::") {
        let rest = &line[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or("");
            layers.extend(group.split(',').map(|item| first_ident(item.trim())));
        } else {
            layers.push(first_ident(rest));
        }
    }
    layers.retain(|l| !l.is_empty());
    layers
}

fn first_ident(text: &str) -> String {
    text.chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// Every `.rs` file under `dir`.
fn rust_files(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect()
}

#[test]
fn imports_point_only_down_the_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut up = Vec::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_dir() {
            continue;
        }
        let layer = path.file_name().unwrap().to_string_lossy().to_string();
        let own = rank(&layer).unwrap_or_else(|| {
            panic!("src/{layer}/ is not a layer: add it to LAYERS here and to the README")
        });
        for file in rust_files(&path) {
            let text = std::fs::read_to_string(&file).unwrap();
            for (n, line) in text.lines().enumerate() {
                for named in named_layers(line) {
                    match rank(&named) {
                        Some(r) if r <= own => {}
                        Some(_) => up.push(format!(
                            "{}:{}: {layer} imports {named}, a layer above it",
                            file.strip_prefix(&src).unwrap().display(),
                            n + 1
                        )),
                        None => up.push(format!(
                            "{}:{}: crate::{named} is not in a layer",
                            file.strip_prefix(&src).unwrap().display(),
                            n + 1
                        )),
                    }
                }
            }
        }
    }
    assert!(up.is_empty(), "imports pointing up:\n{}", up.join("\n"));
}

#[test]
fn the_crate_root_holds_only_its_layers() {
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).unwrap();
    let code: Vec<&str> = lib
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("//") && !l.starts_with("#!["))
        .collect();
    // rustfmt sorts the lines; the order of the layers is LAYERS'.
    let mut mods: Vec<String> = LAYERS.iter().map(|l| format!("pub mod {l};")).collect();
    mods.sort();
    assert_eq!(
        code, mods,
        "src/lib.rs declares the layers and nothing else"
    );
}

#[test]
fn the_check_reads_grouped_imports() {
    assert_eq!(
        named_layers("use crate::{base::paths, render::Card};"),
        ["base", "render"]
    );
    assert_eq!(
        named_layers("let x = crate::site::urls::case_url(c) + crate::model::today();"),
        ["site", "model"]
    );
}
