//! What the READMEs say about the command line, checked against the command line itself: the
//! exit codes they list are exactly those `adsterra --help` lists (whose list lives in
//! `cli/src/failure.rs`), each under the name the help gives it.

use std::path::Path;

/// Code and meaning of each exit code `--help` lists, in order.
fn help_exit_codes() -> Vec<(u8, String)> {
    let help = adsterra_cli::command()
        .get_after_long_help()
        .expect("--help ends with the exit codes")
        .to_string();
    let codes: Vec<(u8, String)> = help
        .lines()
        .skip_while(|line| *line != "Exit codes:")
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter_map(|line| {
            let (code, meaning) = line.trim_start().split_once("  ")?;
            Some((code.parse().ok()?, meaning.trim().to_owned()))
        })
        .collect();
    assert!(codes.len() > 1, "no exit codes in --help:\n{help}");
    codes
}

/// The exit codes a README's `**Exit codes:**` item lists, with the name it gives each:
/// "0 success, 1 cancelled (or ...), 2 usage, ..." up to the first `;` or `.`.
fn readme_exit_codes(readme: &str) -> Vec<(u8, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(readme);
    let text = std::fs::read_to_string(&path).expect("the README reads");
    let (_, after) = text
        .split_once("**Exit codes:**")
        .unwrap_or_else(|| panic!("{readme} has no **Exit codes:** item"));
    let list = after
        .split([';', '.'])
        .next()
        .expect("split yields a first part")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    list.split(", ")
        .map(|item| {
            let (code, name) = item.split_once(' ').unwrap_or((item, ""));
            let name = name.split(" (").next().unwrap_or_default();
            let code = code
                .parse()
                .unwrap_or_else(|_| panic!("{readme}: `{item}` does not start with a code"));
            (code, name.to_owned())
        })
        .collect()
}

#[test]
fn the_readmes_list_exactly_the_exit_codes_of_help() {
    let help = help_exit_codes();
    let codes: Vec<u8> = help.iter().map(|(code, _)| *code).collect();
    for readme in ["README.md", "cli/README.md"] {
        let listed = readme_exit_codes(readme);
        assert_eq!(
            listed.iter().map(|(code, _)| *code).collect::<Vec<_>>(),
            codes,
            "{readme} lists other exit codes than --help: {listed:?}"
        );
        for ((code, name), (_, meaning)) in listed.iter().zip(&help) {
            assert!(
                !name.is_empty() && meaning.starts_with(name.as_str()),
                "{readme}: exit {code} is `{name}`, --help says `{meaning}`"
            );
        }
    }
}
