//! `--help` of every command, snapshot-tested: the grammar and its texts are the interface.

mod common;

use common::adsterra;

/// Every command path: [], [balance], [campaign], [campaign, get], ...
fn paths(command: &clap::Command, prefix: Vec<String>, all: &mut Vec<Vec<String>>) {
    all.push(prefix.clone());
    for sub in command.get_subcommands() {
        let mut path = prefix.clone();
        path.push(sub.get_name().to_owned());
        paths(sub, path, all);
    }
}

#[test]
fn every_command_has_help_and_it_is_stable() {
    let mut all = Vec::new();
    paths(&adsterra_cli::command(), Vec::new(), &mut all);
    // help is clap's own subcommand; its text is the same as --help.
    all.retain(|path| !path.iter().any(|part| part == "help"));
    // The list of commands is itself reviewed as a snapshot, not pinned as a count.
    let listed: Vec<String> = all.iter().map(|path| path.join(" ")).collect();
    insta::assert_snapshot!("commands", listed.join("\n"));
    for path in all {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let run = adsterra(&args, &[], "");
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        let name = if path.is_empty() {
            "help".to_owned()
        } else {
            format!("help_{}", path.join("_"))
        };
        insta::assert_snapshot!(name, run.stdout);
    }
}

#[test]
fn the_top_level_help_documents_every_exit_code() {
    let help = adsterra(&["--help"], &[], "").stdout;
    for code in 0..=8 {
        assert!(help.contains(&format!("\n  {code}  ")), "exit code {code}");
    }
}

#[test]
fn completions_are_generated_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F"),
        ("zsh", "#compdef adsterra"),
        ("fish", "complete -c adsterra"),
    ] {
        let run = adsterra(&["completions", shell], &[], "");
        assert_eq!(run.code, 0, "{shell}");
        assert!(run.stdout.contains(marker), "{shell}");
        // Nested commands and their flags are there too.
        assert!(run.stdout.contains("blacklist"), "{shell}");
        assert!(run.stdout.contains("dry-run"), "{shell}");
    }
}
