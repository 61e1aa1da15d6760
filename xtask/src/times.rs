//! How long each test binary or end-to-end test file took in its last run (`<ms> <name>` per
//! line in a file under `target/`), so that the next run starts the longest first: with jobs
//! side by side, a long one started last is what makes the run long.

use std::collections::HashMap;
use std::path::Path;

/// The recorded times; none when the file is missing.
pub fn read(path: &Path) -> HashMap<String, u64> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            let (ms, name) = l.split_once(' ')?;
            Some((name.to_owned(), ms.parse().ok()?))
        })
        .collect()
}

/// Adds `new` to the recorded times (a run of some files keeps the others' times).
pub fn record(path: &Path, new: HashMap<String, u64>) -> std::io::Result<()> {
    let mut all = read(path);
    all.extend(new);
    let mut lines: Vec<String> = all
        .iter()
        .map(|(name, ms)| format!("{ms} {name}"))
        .collect();
    lines.sort();
    std::fs::write(path, lines.join("\n") + "\n")
}

/// `names` reordered longest first by `times`; a name without a time counts as longest (it
/// is new), and equal ones keep their order.
pub fn longest_first<T>(items: &mut [T], name: impl Fn(&T) -> &str, times: &HashMap<String, u64>) {
    items.sort_by_key(|item| std::cmp::Reverse(times.get(name(item)).copied().unwrap_or(u64::MAX)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_recorded_merged_and_order_the_longest_first() {
        let path = std::env::temp_dir().join(format!("xtask-times-{}", std::process::id()));
        std::fs::write(&path, "1200 fuzz.rs\n5 doc tests\nbad\n").unwrap();
        assert_eq!(read(&path).len(), 2);
        record(
            &path,
            HashMap::from([("doc tests".to_owned(), 7), ("api.rs".to_owned(), 300)]),
        )
        .unwrap();
        let times = read(&path);
        let _ = std::fs::remove_file(&path);
        assert_eq!(times.get("fuzz.rs"), Some(&1200));
        assert_eq!(times.get("doc tests"), Some(&7));
        let mut names = vec!["doc tests", "api.rs", "new.rs", "fuzz.rs"];
        longest_first(&mut names, |n| n, &times);
        assert_eq!(names, ["new.rs", "fuzz.rs", "api.rs", "doc tests"]);
    }
}
