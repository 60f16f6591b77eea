//! One spec edit flows everywhere. The test copies the workspace, adds a read endpoint and a
//! list schema to the copy's spec (following every house rule) and edits nothing else. Then, in
//! the copy: `cargo xtask generate`; `cargo test --workspace` fails on snapshots only; once the
//! snapshots are accepted their tests pass; the sandbox answers the new operation in JSON, CSV
//! and XML; `adsterra api` calls it; `adsterra verify-live` checks it; and the only files that
//! changed are the spec, the files generated from it and the snapshots.
//!
//! It builds and tests a whole copy of the workspace in its own target folder
//! (target/workspace-copy/, shared with `spec_loop.rs`), which takes minutes, so it is ignored by default: `.ci/run` runs it
//! with `cargo test --workspace --test additive -- --ignored`.
//!
//! The copy's sync tests need PostgreSQL: they use this checkout's server (`.ci/postgres.sh`,
//! Debian's `postgresql`, installed by apt-get when missing), or `ADSTERRA_TEST_POSTGRES`.

use std::collections::BTreeSet;

use adsterra_codegen::derived::{self, SPEC};
use adsterra_tests::workspace_copy::{Copy, SandboxProcess, text};
use serde_json::{Value, json};

/// The new operation, as a maintainer would add it.
const PATH_ITEM: &str = r#"  /campaign/{campaign_id}/countries.{format}:
    parameters:
      - $ref: '#/components/parameters/CampaignId'
      - $ref: '#/components/parameters/Format'
    get:
      operationId: get_campaign_countries
      summary: List the countries a campaign targets
      description: |
        The countries of a campaign with the price it pays in each. Added by the additive-change
        test; nothing about it is known.
      tags: [campaigns]
      x-adsterra-evidence: inferred
      x-adsterra-retry:
        class: readonly
        reason: A read; it changes nothing.
      responses:
        '200':
          description: The countries of the campaign.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/CampaignCountryList'
              example:
                items:
                  - country_code: ID
                    price: 0.45
                  - country_code: MY
                    price: 0.38
                itemCount: 2
            application/xml:
              schema:
                type: string
            text/csv:
              schema:
                type: string
        '401':
          $ref: '#/components/responses/Unauthorized'
        '403':
          $ref: '#/components/responses/Forbidden'
        '404':
          $ref: '#/components/responses/NotFound'
        '429':
          $ref: '#/components/responses/RateLimited'
        '5XX':
          $ref: '#/components/responses/ServerError'

"#;

const SCHEMA: &str = r#"    CampaignCountryList:
      type: object
      description: The countries of a campaign.
      x-adsterra-evidence: inferred
      required:
        - items
      properties:
        items:
          type: array
          description: The countries, all of them.
          x-adsterra-evidence: inferred
          items:
            type: object
            properties:
              country_code:
                type: string
                description: ISO-3166 alpha-2.
                x-adsterra-evidence: inferred
              price:
                type: number
                format: double
                description: The price paid there, USD.
                x-adsterra-evidence: inferred
        itemCount:
          type: integer
          format: int64
          description: Number of entries in `items`.
          x-adsterra-evidence: inferred

"#;

/// The operationId of the new operation (read from the edit: written out as a string, it would
/// be an operation id spelled by hand in the copy, which the architecture test refuses).
fn operation() -> &'static str {
    let (_, rest) = PATH_ITEM.split_once("operationId: ").unwrap();
    rest.split_whitespace().next().unwrap()
}

/// The one edit: the path item before `components:`, the schema first among the schemas.
fn add_endpoint(spec: &str) -> String {
    let spec = spec.replacen("\ncomponents:\n", &format!("\n{PATH_ITEM}components:\n"), 1);
    let at = spec.find("\n  schemas:\n").expect("the spec has schemas") + "\n  schemas:\n".len();
    format!("{}{SCHEMA}{}", &spec[..at], &spec[at..])
}

/// What the spec owns, a file that may change when the spec changes: the spec, a file
/// `cargo xtask generate` writes (`derived`, the paths codegen lists), or a snapshot.
fn derived_from_the_spec(path: &str, derived: &[&str]) -> bool {
    path == SPEC
        || derived.contains(&path)
        || path.contains("/snapshots/") && path.ends_with(".snap")
}

/// The test targets that own snapshot files: an integration test's name, or `None` for a
/// library's unit tests. insta names a snapshot file after the module that asserts it:
/// `<crate>/tests/snapshots/<test>__<name>.snap` belongs to `tests/<test>.rs`; one under
/// `<crate>/src/` to the library.
fn snapshot_targets(snapshots: &[String]) -> BTreeSet<Option<String>> {
    snapshots
        .iter()
        .map(|path| {
            let (_, file) = path.split_once("/tests/snapshots/")?;
            let (test, _) = file.split_once("__").expect("insta's <module>__<name>");
            Some(test.to_owned())
        })
        .collect()
}

#[test]
#[ignore = "builds and tests a copy of the whole workspace; .ci/run runs it"]
fn adding_a_read_endpoint_to_the_spec_needs_no_other_edit() {
    let copy = Copy::make();
    let before = copy.files();
    let spec_path = copy.root.join(SPEC);
    let spec = std::fs::read_to_string(&spec_path).unwrap();
    std::fs::write(&spec_path, add_endpoint(&spec)).unwrap();

    let generated = copy.cargo(&["xtask", "generate"], &[]);
    assert!(generated.status.success(), "{}", text(&generated));
    let report = text(&generated);
    assert!(
        report.contains(operation()) && report.contains("operation added"),
        "{report}"
    );

    // The suite fails on snapshots only: with failing snapshots forced to pass (and written
    // beside the old ones as .snap.new), every test passes.
    let first = copy.cargo(
        &["test", "--workspace", "--no-fail-fast"],
        &[("INSTA_UPDATE", "new"), ("INSTA_FORCE_PASS", "1")],
    );
    assert!(
        first.status.success(),
        "tests other than snapshots failed after the spec edit:\n{}",
        text(&first)
    );
    // Accept them, as `cargo insta accept` does.
    let accepted = copy.accept_snapshots();
    assert!(
        accepted.iter().any(|p| p.contains("operation_inventory")),
        "the inventory snapshot shows the new operation: {accepted:?}"
    );
    // Every other test passed already; the tests that own the accepted snapshots run again,
    // in one run over the workspace, as the first: the same features, so nothing is rebuilt.
    let targets = snapshot_targets(&accepted);
    let mut args = vec!["test", "--workspace"];
    for target in &targets {
        match target {
            Some(name) => args.extend(["--test", name.as_str()]),
            None => args.push("--lib"),
        }
    }
    let second = copy.cargo(&args, &[("INSTA_UPDATE", "no")]);
    assert!(
        second.status.success(),
        "the copy's tests fail with the snapshots accepted ({args:?}):\n{}",
        text(&second)
    );

    // Only the spec, what is generated from it, and the snapshots changed.
    let (_, derived) = derived::derive(&adsterra_tests::spec()).expect("the spec derives");
    let derived: Vec<&str> = derived.iter().map(|file| file.path).collect();
    let after = copy.files();
    let edited: Vec<&String> = after
        .iter()
        .filter(|(path, content)| before.get(*path) != Some(content))
        .map(|(path, _)| path)
        .chain(before.keys().filter(|path| !after.contains_key(*path)))
        .filter(|path| !derived_from_the_spec(path, &derived))
        .collect();
    assert!(edited.is_empty(), "files edited by hand: {edited:?}");

    // The sandbox serves it in every format, marked as the spec's example.
    let built = copy.cargo(
        &[
            "build",
            "--bins",
            "-p",
            "adsterra-sandbox",
            "-p",
            "adsterra-cli",
        ],
        &[],
    );
    assert!(built.status.success(), "{}", text(&built));
    let sandbox = SandboxProcess::start(&copy.binary("adsterra-sandbox"), &[]);
    let expected: Value = json!([
        {"country_code": "ID", "price": 0.45},
        {"country_code": "MY", "price": 0.38},
    ]);
    for format in ["json", "csv", "xml"] {
        let url = format!("{}/campaign/1463700/countries.{format}", sandbox.url);
        let (status, marked, body) = get(&url, Some(&sandbox.token));
        assert_eq!(status, 200, "{url}");
        assert!(marked.contains(operation()), "{url}: {marked}");
        let format = format.parse().unwrap();
        let items: Value = adsterra_formats::decode::<Value>(format, &body).unwrap();
        let items = items.get("items").cloned().unwrap_or(items);
        // CSV and XML carry text; compare the values as the typed client reads them.
        let normal = |value: &Value| -> Vec<(String, f64)> {
            value
                .as_array()
                .unwrap()
                .iter()
                .map(|row| {
                    let price = &row["price"];
                    let price = price
                        .as_f64()
                        .or_else(|| price.as_str()?.parse().ok())
                        .unwrap();
                    (row["country_code"].as_str().unwrap().to_owned(), price)
                })
                .collect()
        };
        assert_eq!(normal(&items), normal(&expected), "{url}");
    }
    // Without the token, the same rules as every endpoint.
    let (status, _, _) = get(
        &format!("{}/campaign/1463700/countries.json", sandbox.url),
        None,
    );
    assert_eq!(status, 401);

    // `adsterra api` calls it, in every format, and lists it.
    for format in ["json", "csv", "xml"] {
        let (stdout, stderr, code) = copy.adsterra(
            &[
                "--sandbox",
                "api",
                operation(),
                "-p",
                "campaign_id=1463700",
                "--format",
                format,
                "-o",
                "json",
            ],
            &[],
        );
        assert_eq!(code, 0, "{stderr}");
        let answer: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(answer["items"], expected, "{format}");
    }
    let (listed, _, _) = copy.adsterra(&["--sandbox", "api", "--list", "-o", "json"], &[]);
    assert!(listed.contains(operation()), "{listed}");

    // verify-live finds a campaign id through the spec's link and checks the answer.
    let (report, stderr, code) = copy.adsterra(&["--sandbox", "verify-live"], &[]);
    assert_eq!(code, 0, "{report}\n{stderr}");
    let table = report
        .split("\n\n")
        .find(|table| table.lines().next() == Some(operation()))
        .unwrap_or_else(|| panic!("verify-live has no table for {}:\n{report}", operation()));
    assert!(
        table.contains("json: confirmed") && table.contains("xml: confirmed"),
        "{table}"
    );
}

/// A GET with the token, if any: the status, the example-answer marker and the body.
fn get(url: &str, token: Option<&str>) -> (u16, String, Vec<u8>) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let mut request = reqwest::Client::new().get(url);
        if let Some(token) = token {
            request = request.header("X-API-Key", token);
        }
        let response = request.send().await.unwrap();
        let marked = response
            .headers()
            .get("x-adsterra-sandbox-answer")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let status = response.status().as_u16();
        (status, marked, response.bytes().await.unwrap().to_vec())
    })
}
