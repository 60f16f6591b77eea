//! `adsterra-sandbox`: serve a local Adsterra Advertiser API until stopped (Ctrl-C).

use adsterra_sandbox::replay::Replay;
use adsterra_sandbox::{Answers, Config, Faults, Sandbox};
use clap::Parser;

/// A local, stateful Adsterra Advertiser API: every endpoint in JSON, XML and CSV, no network,
/// no real token. Point any client at the printed base URL with the printed X-API-Key.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// The address to listen on. Loopback by default; any other (0.0.0.0 for every interface,
    /// so that tests in a container can reach it) lets whoever can reach it use the sandbox.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Port (0 picks a free one).
    #[arg(long, default_value_t = 8040)]
    port: u16,
    /// The token to accept (default: one drawn from the seed, printed at start).
    #[arg(long, env = "ADSTERRA_SANDBOX_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Seed of the account, the stats and the faults.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Faults to inject, e.g. "latency=50ms,429=0.1,500=0.05,502=0.05,503=0.05,drop=0.02,truncate=0.02,malformed=0.02,redirect=0.01".
    #[arg(long, default_value = "none")]
    faults: Faults,
    /// Requests per token and minute before 429 (0: no limit).
    #[arg(long, default_value_t = adsterra_generated::limits::REQUESTS_PER_MINUTE)]
    rate_limit: u32,
    /// Answer off the spec on purpose (an unexpected field, a missing one, wrong types), to see
    /// that `adsterra verify-live` reports it.
    #[arg(long)]
    deviate: bool,
    /// Answer as an API that has moved on since the spec (a new campaign field and stats
    /// metric, a new status value, ids as strings, a banner field left out), to run the loop
    /// from `verify-live --record --propose` to a regenerated client without a token.
    #[arg(long)]
    drift: bool,
    /// Answer every request that a cassette in DIR recorded (`adsterra verify-live --record
    /// DIR`) with the recorded answer, byte for byte; the rest from the sandbox.
    #[arg(long, value_name = "DIR")]
    replay: Option<std::path::PathBuf>,
    /// With --replay: answer what no cassette holds with a 404 naming the missing recording,
    /// instead of from the sandbox.
    #[arg(long, requires = "replay")]
    replay_only: bool,
    /// How answers are spelled: `strict` (the spec's shapes) or `loose` (numbers and ids as
    /// strings, unproven fields left out, extra fields, null names, unknown states), to test
    /// that a client reads what the real API may send.
    #[arg(long, default_value = "strict")]
    answers: Answers,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args = Args::parse();
    let mut config = Config::default()
        .with_seed(args.seed)
        .with_bind(args.bind)
        .with_port(args.port)
        .with_rate_limit_per_minute(args.rate_limit)
        .with_faults(args.faults)
        .with_deviations(args.deviate)
        .with_drift(args.drift)
        .with_answers(args.answers);
    if let Some(token) = args.token {
        config = config.with_token(token);
    }
    let replay = match &args.replay {
        Some(folder) => Some(Replay::load(folder).map_err(std::io::Error::other)?),
        None => None,
    };
    let sandbox = Sandbox::start(config).await?;
    if let Some(mut replay) = replay {
        replay.only = args.replay_only;
        println!("replaying {} recorded answers", replay.len());
        sandbox.set_replay(Some(replay));
    }
    let url = sandbox.base_url();
    let token = sandbox.token();
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this address can use the sandbox \
             with the token below; --bind 127.0.0.1 keeps it to this machine",
            sandbox.address()
        );
    }
    println!("Adsterra sandbox serving {url}");
    println!("X-API-Key: {token}");
    println!("faults: {}", sandbox.faults());
    println!("answers: {}", sandbox.answers());
    println!(
        "try: curl -H 'X-API-Key: {token}' '{url}/stats.csv?start_date=2026-11-01&finish_date=2026-11-27&group_by[]=date'"
    );
    tokio::signal::ctrl_c().await?;
    println!("stopping");
    sandbox.shutdown().await;
    Ok(())
}
