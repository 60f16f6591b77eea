//! `cargo xtask spec apply FILE`: applies an OpenAPI Overlay (1.0 or 1.1, YAML or JSON) to the
//! hand-written spec in place, prints what each action matched and how many lines changed, then
//! lints the result; exit 1 when the lint fails.
//!
//! Thin: codegen's `overlay_text` decides the edit (and refuses any it cannot make exactly);
//! this file reads the overlay and the spec, writes the spec only when it changed, and prints.
//! It must not touch any other file: regenerating is `cargo xtask generate`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use adsterra_codegen::derived::{self, DeriveError};
use adsterra_codegen::overlay_text::{self, Edited, Overlay};

pub fn run(root: &Path, file: &Path, spec: Option<&Path>) -> Result<ExitCode, String> {
    let (spec_path, shown): (PathBuf, String) = match spec {
        Some(path) => (path.to_owned(), path.display().to_string()),
        None => (root.join(derived::SPEC), derived::SPEC.to_owned()),
    };
    let overlay_text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read the overlay {}: {e}", file.display()))?;
    let overlay = overlay_text::read_overlay(&overlay_text, &file.display().to_string())
        .map_err(|e| e.to_string())?;
    let text =
        std::fs::read_to_string(&spec_path).map_err(|e| format!("cannot read {shown}: {e}"))?;
    let edited = overlay_text::apply_in_place(&text, &overlay).map_err(|e| e.to_string())?;
    print_actions(&overlay, &edited);
    if edited.text == text {
        println!("{shown}: unchanged");
    } else {
        std::fs::write(&spec_path, &edited.text).map_err(|e| format!("writing {shown}: {e}"))?;
        println!(
            "{shown}: {} line(s) changed (-{} +{})",
            edited.changed_lines, edited.lines_removed, edited.lines_added
        );
    }
    let violations = adsterra_codegen::lint(&edited.model);
    if violations.is_empty() {
        println!("lint: clean");
        return Ok(ExitCode::SUCCESS);
    }
    // Printed as `cargo xtask generate` prints them, through the same error.
    eprintln!("error: {}", DeriveError::Lint(violations));
    eprintln!("the overlay is applied to {shown}: fix the spec or the overlay, then lint again");
    Ok(ExitCode::FAILURE)
}

/// One line per action: its index, target, how many nodes it matched, and its description's
/// first line.
fn print_actions(overlay: &Overlay, edited: &Edited) {
    for (action, outcome) in overlay.actions.iter().zip(&edited.report.actions) {
        let nodes = match outcome.matched {
            1 => "1 node".to_owned(),
            n => format!("{n} nodes"),
        };
        let unchanged = if outcome.matched > 0 && !outcome.changed {
            ", no change"
        } else {
            ""
        };
        let description = action
            .description
            .as_deref()
            .and_then(|text| text.lines().next())
            .map(|line| format!(" - {line}"))
            .unwrap_or_default();
        println!(
            "actions[{}] {}: {nodes}{unchanged}{description}",
            outcome.index, action.target
        );
    }
    if overlay.actions.is_empty() {
        println!("the overlay has no actions");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch copy of the spec and an overlay file, removed when dropped.
    struct Scratch {
        folder: PathBuf,
    }

    impl Scratch {
        fn new(name: &str, overlay: &str) -> Self {
            let folder = std::env::temp_dir()
                .join(format!("xtask-spec-apply-{}-{name}", std::process::id()));
            std::fs::create_dir_all(&folder).unwrap();
            std::fs::copy(root().join(derived::SPEC), folder.join("spec.yaml")).unwrap();
            std::fs::write(folder.join("change.overlay.yaml"), overlay).unwrap();
            Self { folder }
        }

        fn run(&self) -> Result<ExitCode, String> {
            let spec = self.folder.join("spec.yaml");
            run(
                &root(),
                &self.folder.join("change.overlay.yaml"),
                Some(&spec),
            )
        }

        fn spec(&self) -> String {
            std::fs::read_to_string(self.folder.join("spec.yaml")).unwrap()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.folder);
        }
    }

    fn root() -> PathBuf {
        crate::workspace_root()
    }

    fn original() -> String {
        std::fs::read_to_string(root().join(derived::SPEC)).unwrap()
    }

    /// Whether the spec as it is lints clean (another change may be under way in the tree).
    fn lints_clean() -> bool {
        let spec = adsterra_codegen::load(&root().join(derived::SPEC)).unwrap();
        adsterra_codegen::lint(&spec).is_empty()
    }

    const HEAD: &str = "overlay: 1.1.0\ninfo:\n  title: test\n  version: '1'\n";

    #[test]
    fn an_overlay_that_changes_nothing_leaves_the_file_alone() {
        let overlay = format!(
            "{HEAD}actions:\n  - target: $.components.schemas.Nowhere\n    update: {{type: string}}\n"
        );
        let scratch = Scratch::new("idle", &overlay);
        let expected = if lints_clean() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
        assert_eq!(scratch.run(), Ok(expected));
        assert_eq!(scratch.spec(), original());
    }

    #[test]
    fn applies_in_place_and_fails_when_the_result_breaks_a_rule() {
        let overlay = format!(
            "{HEAD}actions:\n  - target: $.components.schemas.Campaign.properties.active\n    \
             description: the status may be null\n    update:\n      nullable: true\n"
        );
        let scratch = Scratch::new("nullable", &overlay);
        let expected = if lints_clean() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        };
        assert_eq!(scratch.run(), Ok(expected));
        // One line more, after the last line of the property (its known values).
        let last = "            - 4\n";
        let restored =
            scratch
                .spec()
                .replacen(&format!("{last}          nullable: true\n"), last, 1);
        assert_eq!(restored, original());
        // Without its evidence mark the property breaks a house rule.
        let overlay = format!(
            "{HEAD}actions:\n  - target: \"$.components.schemas.Campaign.properties.active\
             ['x-adsterra-evidence']\"\n    remove: true\n"
        );
        let scratch = Scratch::new("unmarked", &overlay);
        assert_eq!(scratch.run(), Ok(ExitCode::FAILURE));
    }

    #[test]
    fn a_bad_overlay_is_refused_before_the_spec_is_touched() {
        let overlay = format!("{HEAD}actions:\n  - target: $.paths[\n    remove: true\n");
        let scratch = Scratch::new("bad", &overlay);
        let error = scratch.run().unwrap_err();
        assert!(
            error.contains("actions[0]") && error.contains("JSONPath"),
            "{error}"
        );
        assert_eq!(scratch.spec(), original());
    }
}
