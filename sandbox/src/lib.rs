//! `adsterra-sandbox`: a local, stateful Adsterra Advertiser API.
//!
//! It owns a believable advertiser account drawn from a seed (balance, about twenty campaigns in
//! every state, their banners, landings and placement lists, and years of statistics), serves it
//! on 127.0.0.1 exactly where the real API puts things (`/advertiser/stats.csv`, ...), in JSON, XML
//! and CSV, with Adsterra's auth, errors and rate limit, and breaks on demand (latency, 429, 5xx,
//! dropped connections, truncated or malformed bodies, a redirect to another origin).
//!
//! It must not invent its own shapes: every answer is a generated type from `adsterra-generated`,
//! encoded by `adsterra-formats`, so it cannot drift from the spec unless told to ([`deviations`]
//! breaks the spec's rules, [`drift`] plays an API that has moved on). It never talks to the network
//! beyond loopback.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = adsterra_sandbox::Sandbox::start(adsterra_sandbox::Config::default()).await?;
//! println!("{} with X-API-Key: {}", sandbox.base_url(), sandbox.token());
//! sandbox.shutdown().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod account;
pub mod answers;
pub mod deviations;
pub mod drift;
mod failure;
pub mod faults;
mod handlers;
mod rate_limit;
pub mod replay;
pub mod rng;
pub mod routes;
mod server;
pub mod stats;

pub use answers::Answers;
pub use faults::{Fault, Faults};
pub use handlers::MAX_STATS_DAYS;
pub use server::{BASE_PATH, Config, DecoyRequest, EXAMPLE_ANSWER, Sandbox};
