//! `adsterra`: the client people use for the Adsterra Advertiser API.
//!
//! It owns everything a caller relies on beyond the raw generated operations: how a client is
//! built (base URL, API token), and, as the crate grows, formats, pagination, retries, rate
//! limits and typed errors. It must not edit or duplicate generated code: it wraps
//! [`adsterra_generated`] (re-exported as [`raw`]) and plugs its behaviour in through the raw
//! client's [`raw::Policy`].
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let client = adsterra::Client::from_env()?; // ADSTERRA_API_KEY, optional ADSTERRA_BASE_URL
//! let balance = client.raw().get_balance().send().await?;
//! println!("{}", balance.balance);
//! # Ok(()) }
//! ```
//!
//! Every request goes through one policy: a client-side rate limit (1200 a minute by default,
//! shared by clones), retries with exponential backoff and full jitter on connection errors,
//! timeouts, 408, 429 and 5xx (honouring `Retry-After`, within a retry budget, and only where the
//! operation may safely run twice), and `tracing` spans per operation and attempt.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod base_url;
mod call;
mod client;
mod endpoints;
mod error;
mod idempotency;
mod policy;
mod retry;
mod stats;
mod token;
mod values;

pub use adsterra_formats::Format;
pub use adsterra_generated as raw;
pub use base_url::BaseUrl;
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL, ENV_API_KEY, ENV_BASE_URL};
pub use endpoints::{BannerRef, Blacklist, CampaignRef, CustomBids, SyncReport, Whitelist};
pub use error::{Call, Error};
pub use idempotency::{RetryClass, retry_class};
pub use raw::types::StatsGroupBy;
pub use retry::RetryPolicy;
pub use stats::{MAX_STATS_DAYS, StatsQuery};
pub use token::ApiToken;
pub use values::{AdFormat, BannerExt, CampaignExt, CampaignState, PricingType};
