#!/usr/bin/env bash
# Cold builds of the smallest program a new user writes with `adsterra`, one that prints the
# balance: once per TLS feature, and the same program on bare reqwest + serde + tokio. Debug
# and release, each in a fresh target folder with cargo's default profiles; the registry is
# cached, so no download is timed. Each program then runs against the sandbox. Prints seconds
# and crates compiled (BENCHMARKS.md, section 5).
#
#   bash client-ext/benches/cold_build.sh        (needs target/debug/adsterra-sandbox)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'kill "${sandbox_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

"$root/target/debug/adsterra-sandbox" --port 0 --rate-limit 0 >"$work/sandbox.log" 2>&1 &
sandbox_pid=$!
for _ in $(seq 50); do grep -q '^X-API-Key' "$work/sandbox.log" && break; sleep 0.2; done
export ADSTERRA_BASE_URL=$(sed -n 's/^Adsterra sandbox serving //p' "$work/sandbox.log")
export ADSTERRA_API_KEY=$(sed -n 's/^X-API-Key: //p' "$work/sandbox.log")

# app NAME DEPENDENCIES MAIN: a standalone package, locked to this workspace's versions.
app() {
  mkdir -p "$work/$1/src"
  printf '[package]\nname = "hello"\nversion = "0.0.0"\nedition = "2024"\n\n[workspace]\n\n[dependencies]\n%s\n' "$2" >"$work/$1/Cargo.toml"
  printf '%s\n' "$3" >"$work/$1/src/main.rs"
  cp "$root/Cargo.lock" "$work/$1/"
}

adsterra_main='#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    INSTALL
    let client = adsterra::Client::from_env()?;
    println!("balance: {} USD", client.balance().await?.balance);
    Ok(())
}'
tokio='tokio = { version = "1", features = ["macros", "rt"] }'
client="adsterra = { path = \"$root/client-ext\""
app rustls "$client }
$tokio" "${adsterra_main/INSTALL/}"
app native-tls "$client, default-features = false, features = [\"native-tls\"] }
$tokio" "${adsterra_main/INSTALL/}"
app rustls-no-provider "$client, default-features = false, features = [\"rustls-no-provider\"] }
rustls = { version = \"0.23\", default-features = false, features = [\"ring\", \"std\"] }
$tokio" "${adsterra_main/INSTALL/rustls::crypto::ring::default_provider().install_default().ok();}"
app bare-reqwest 'reqwest = { version = "0.13", features = ["json"] }
serde = { version = "1", features = ["derive"] }
'"$tokio" '#[derive(serde::Deserialize)]
struct Balance {
    balance: f64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = std::env::var("ADSTERRA_BASE_URL")?;
    let balance: Balance = reqwest::Client::new()
        .get(format!("{base}/balance.json"))
        .header("X-API-Key", std::env::var("ADSTERRA_API_KEY")?)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    println!("balance: {} USD", balance.balance);
    Ok(())
}'

printf '%-20s %-8s %9s %7s  %s\n' program profile seconds crates "what it printed"
for name in rustls rustls-no-provider native-tls bare-reqwest; do
  for profile in debug release; do
    flag=$([ "$profile" = release ] && echo --release || true)
    rm -rf "$work/$name/target"
    start=$(date +%s.%N)
    (cd "$work/$name" && cargo build $flag 2>"$work/build.log") || { cat "$work/build.log"; exit 1; }
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    crates=$(grep -c '^ *Compiling' "$work/build.log")
    printed=$("$work/$name/target/$profile/hello")
    printf '%-20s %-8s %9.1f %7d  %s\n' "$name" "$profile" "$seconds" "$crates" "$printed"
  done
done
