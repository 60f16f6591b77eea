# Sourced by .ci/run while the sandbox of the earlier steps runs ($url, $token): the crates that
# are published, as a person outside this repository gets them.
#
# 1. `cargo package` for every crate whose manifest allows publishing (read from the manifests,
#    never listed here).
# 2. `cargo doc --no-deps` for the workspace, with rustdoc warnings denied.
# 3. A throwaway workspace outside this one holds the unpacked .crate files and an app that
#    depends on the packaged `adsterra`: every published crate (libraries and binaries) builds
#    from its .crate file alone, its siblings resolved from those .crate files as they would be
#    from crates.io ([patch.crates-io]), and the app runs the client example of
#    client-ext/README.md, as written, against the sandbox.
# 4. The packaged `adsterra` with each of its TLS features alone.
# 5. cargo-semver-checks (pinned in .ci/run, installed into .tools/cargo) for the library crates
#    against the previous commit: a breaking change without a version bump fails here.

# One read of the manifests: the client's version (all published crates share it), the names,
# and each published crate's manifest relative to the root (to find it in the baseline).
read -r version published manifests < <(cargo metadata --no-deps --format-version 1 | python3 -c 'import json, os, sys
metadata = json.load(sys.stdin)
packages = [p for p in metadata["packages"] if p.get("publish") != []]
version = next(p["version"] for p in packages if p["name"] == "adsterra")
root = metadata["workspace_root"]
print(version, ",".join(p["name"] for p in packages),
      ",".join(os.path.relpath(p["manifest_path"], root) for p in packages))')
published=${published//,/ }

step "packages: cargo package for the published crates ($published)"
# Built in step 3 instead of by cargo's own verification, which builds every dependency again
# with the default profile (4 minutes here), and unpacks the siblings under $CARGO_HOME where
# a machine that ran CI before keeps the previous run's copy of the same version.
# shellcheck disable=SC2046
cargo package --quiet --no-verify $(printf -- '-p %s ' $published)
ls -l target/package/*.crate

step "docs: cargo doc --workspace --no-deps with rustdoc warnings denied"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "the packaged crates build from their .crate files alone; the README example runs against the sandbox"
outside=$(mktemp -d)
mkdir -p "$outside/crates" "$outside/app/src"
for crate in target/package/*.crate; do tar -xzf "$crate" -C "$outside/crates"; done
patches=$(for name in $published; do
  printf '%s = { path = "crates/%s-%s" }\n' "$name" "$name" "$version"
done)
# The workspace's profiles, so that the build reuses this workspace's build of the dependencies.
profiles=$(python3 -c 'import re, sys
text = open(sys.argv[1]).read()
print("".join(m.group(0) for m in re.finditer(r"^\[profile[^\n]*\n(?:(?!\[)[^\n]*\n?)*", text, re.M)))' Cargo.toml)
cat >"$outside/Cargo.toml" <<EOF
[workspace]
members = ["app", "crates/*"]
resolver = "3"

[patch.crates-io]
$patches

$profiles
EOF
cat >"$outside/app/Cargo.toml" <<EOF
[package]
name = "readme-example"
version = "0.0.0"
edition = "2024"
publish = false

[dependencies]
adsterra = "=$version"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
EOF
# The first Rust block of the README, as a reader would paste it.
python3 - client-ext/README.md >"$outside/app/src/main.rs" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
print(re.search(r"```rust[^\n]*\n(.*?)```", text, re.S).group(1), end="")
EOF
# The workspace's lock file keeps the dependencies at the versions CI tested with (and their
# build output reusable); cargo drops what the app does not need.
cp Cargo.lock "$outside/"
CARGO_TARGET_DIR="$PWD/target" cargo build --quiet --workspace --manifest-path "$outside/Cargo.toml"
printed=$(ADSTERRA_BASE_URL="$url" ADSTERRA_API_KEY="$token" target/debug/readme-example)
printf '%s\n' "$printed" | head -n 4
printf '%s\n' "$printed" | grep -q '^balance: [0-9.]* USD$' || { echo "the README example printed no balance"; exit 1; }
printf '%s\n' "$printed" | grep -q '^[1-9][0-9]* stats rows$' || { echo "the README example printed no stats rows"; exit 1; }

step "adsterra's TLS features: the packaged crate builds with each of rustls-no-provider, native-tls and none (rustls, the default, built above)"
for features in rustls-no-provider native-tls ""; do
  echo "features: ${features:-(none)}"
  CARGO_TARGET_DIR="$PWD/target" cargo build --quiet --manifest-path "$outside/Cargo.toml" \
    -p adsterra --no-default-features ${features:+--features "$features"}
done

step "semver: cargo-semver-checks $SEMVER_CHECKS against the previous commit (library crates)"
# Installed in the background since the start of the run (install_semver_checks in .ci/run).
wait "$semver_install_pid" || { cat "$semver_install_log"; echo "cargo-semver-checks did not install"; exit 1; }
if baseline=$(git rev-parse --verify --quiet HEAD~1); then
  # adsterra-cli's library exists for its own tests; its interface is the command line. A crate
  # the baseline does not have yet has no interface to break (the tool would fail on it).
  excluded=(--exclude adsterra-cli)
  IFS=, read -r -a manifest_list <<<"$manifests"
  for name in $published; do
    manifest=${manifest_list[0]}; manifest_list=("${manifest_list[@]:1}")
    if ! git cat-file -e "$baseline:$manifest" 2>/dev/null; then
      echo "$name is new since the previous commit: nothing to compare"
      excluded+=(--exclude "$name")
    fi
  done
  # One target folder for every crate and both revisions: the tool otherwise builds the
  # dependencies again for each (8 min instead of 2.5 here, with the same findings).
  CARGO_TARGET_DIR="$PWD/target/semver-checks-shared" PATH="$TOOLS/cargo/bin:$PATH" \
    cargo semver-checks --workspace "${excluded[@]}" --baseline-rev "$baseline"
else
  echo "no previous commit to compare with (a shallow clone or the first commit): skipped"
fi
