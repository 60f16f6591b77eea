//! `adsterra`: the client people use for the Adsterra Advertiser API.
//!
//! It owns everything a caller relies on beyond the raw generated operations: building a client
//! that is safe with a real token, the request policy (rate limit, retries, tracing), calls in
//! Adsterra's words for every endpoint in any of the three wire formats, stats over any date
//! range, bulk and sync helpers for placement lists, and one typed error. It must not edit or
//! duplicate generated code: it wraps [`adsterra_generated`] (re-exported as [`raw`], for
//! anything the wrappers do not cover) and plugs its behaviour in through [`raw::Policy`].
//!
//! Every example below runs against the local sandbox (`adsterra-sandbox`); with a real token,
//! build the client with [`Client::from_env`] (`ADSTERRA_API_KEY`, optional
//! `ADSTERRA_BASE_URL`) instead.
//!
//! # A client
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sandbox = adsterra_sandbox::Sandbox::start(Default::default()).await?;
//! use adsterra::{ApiToken, Client};
//!
//! let client = Client::builder()
//!     .base_url(sandbox.base_url()) // the production URL by default
//!     .token(ApiToken::new(sandbox.token())?)
//!     .build()?;
//! println!("balance: {} USD", client.balance().await?.balance);
//! # Ok(()) }
//! ```
//!
//! The token is sent only in a sensitive `X-API-Key` header and never printed; plain `http` is
//! refused except on loopback; redirects are followed only within the same origin. (The one
//! exception to the header is [`Client::probe_legacy_token_path`], which asks whether the API
//! still accepts the legacy token-in-path form of old scripts; see [`legacy`].)
//!
//! # Campaigns, banners, formats
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sandbox = adsterra_sandbox::Sandbox::start(Default::default()).await?;
//! # let client = adsterra::Client::builder().base_url(sandbox.base_url())
//! #     .token(adsterra::ApiToken::new(sandbox.token())?).build()?;
//! use adsterra::{CampaignExt, Format};
//! use adsterra::types::CampaignState;
//!
//! let campaigns = client.campaigns().await?;
//! let running = campaigns.iter().find(|c| c.state() == Some(CampaignState::Active)).unwrap();
//! let paused = client.campaign(running.id).pause().await?;
//! assert_eq!(paused.state(), Some(CampaignState::Inactive));
//!
//! // The same call in CSV or XML decodes into the same values.
//! let as_csv = client.with_format(Format::Csv).campaign(running.id).get().await?;
//! assert_eq!(as_csv, paused);
//! # Ok(()) }
//! ```
//!
//! # Stats over any range
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sandbox = adsterra_sandbox::Sandbox::start(Default::default()).await?;
//! # let client = adsterra::Client::builder().base_url(sandbox.base_url())
//! #     .token(adsterra::ApiToken::new(sandbox.token())?).build()?;
//! use adsterra::types::StatsGroupBy;
//! use futures::TryStreamExt;
//!
//! let (start, finish) = ("2025-01-01".parse()?, "2026-11-27".parse()?);
//! // Longer than Adsterra's 366 days: split into windows, fetched concurrently, merged.
//! let by_country = client
//!     .stats()
//!     .between(start, finish)
//!     .group_by([StatsGroupBy::Country])
//!     .send()
//!     .await?;
//! assert!(by_country.iter().all(|row| row.country.is_some()));
//!
//! // Or row by row while the body downloads, with memory bounded by a batch of rows.
//! let mut rows = std::pin::pin!(client.stats().between(start, finish).stream());
//! let first = rows.try_next().await?.expect("a row");
//! assert_eq!(first.date, Some(start));
//! # Ok(()) }
//! ```
//!
//! # Placement lists and custom bids
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sandbox = adsterra_sandbox::Sandbox::start(Default::default()).await?;
//! # let client = adsterra::Client::builder().base_url(sandbox.base_url())
//! #     .token(adsterra::ApiToken::new(sandbox.token())?).build()?;
//! # let campaign = client.campaigns().await?[0].id;
//! let blacklist = client.blacklist(campaign);
//! blacklist.replace([15_413_270]).await?; // the whole list
//! blacklist.add([15_413_272]).await?; // long changes are sent in batches
//! let report = blacklist.sync([15_413_272, 15_413_999]).await?; // make it exactly this
//! assert_eq!((report.added, report.removed), (vec![15_413_999], vec![15_413_270]));
//!
//! let bids = client.custom_bids(campaign).set([(15_413_999, 0.35)]).await?;
//! assert!(bids.iter().any(|bid| bid.placement_id == 15_413_999));
//! # Ok(()) }
//! ```
//!
//! # Errors
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let sandbox = adsterra_sandbox::Sandbox::start(Default::default()).await?;
//! # let client = adsterra::Client::builder().base_url(sandbox.base_url())
//! #     .token(adsterra::ApiToken::new(sandbox.token())?).build()?;
//! use adsterra::Error;
//!
//! // Bad input is refused before anything is sent, naming the field.
//! let error = client.campaign(0).get().await.unwrap_err();
//! assert!(matches!(error, Error::InvalidInput { field: "campaign_id", .. }));
//!
//! // Answers become variants a caller can act on, with the call and its attempts.
//! let error = client.campaign(99).get().await.unwrap_err();
//! assert!(matches!(error, Error::NotFound { .. }));
//! let get_campaign = adsterra::Endpoint::GetCampaign.operation(adsterra::Format::Json);
//! assert_eq!(error.call().map(|call| call.operation), Some(get_campaign));
//! # Ok(()) }
//! ```
//!
//! # The request policy
//!
//! Every request goes through one policy: a client-side rate limit (1200 a minute by default,
//! shared by clones), retries with exponential backoff and full jitter on connection errors,
//! timeouts, 408, 429 and 5xx (honouring `Retry-After` as seconds or a date up to a cap, within a
//! retry budget, and only where the spec says the operation may safely run twice; see
//! [`RetryClass`]), and
//! `tracing` spans per operation (`adsterra.request`) and attempt (`adsterra.attempt`) that never
//! carry the token. [`ClientBuilder`] sets each of these. One retry loop decides every retry, of
//! the wrappers and of the raw client alike: a status worth another attempt, `Retry-After`, and
//! an answer whose body is lost, cut short or malformed; [`Error::is_retryable`] judges by the
//! same rule and the operation's retry class.
//!
//! [`Client::keeping_bodies`] gives a clone that keeps the server's own bytes of every answer
//! (the command line's `--output raw`).

#![warn(missing_docs)]

mod answer;
mod base_url;
mod call;
mod capture;
mod client;
mod endpoints;
mod error;
mod input;
pub mod legacy;
mod list_plan;
mod operation_call;
mod policy;
mod retry;
mod stats;
mod token;
pub mod types;
mod values;

pub use adsterra_formats::Format;
pub use adsterra_generated as raw;
pub use base_url::BaseUrl;
pub use capture::{BodyLog, KeptAnswer};
pub use client::{
    Client, ClientBuilder, DEFAULT_BASE_URL, DEFAULT_TIMEOUT, ENV_API_KEY, ENV_BASE_URL,
    TOKEN_STAND_IN,
};
pub use endpoints::{BannerRef, Blacklist, CampaignRef, CustomBids, Whitelist};
pub use error::{Call, Error, TransportError};
pub use legacy::LegacyProbe;
pub use list_plan::{ListChange, ListPlan, ListRequest, PlacementList, SyncReport};
pub use operation_call::{OperationAnswer, OperationCall};
pub use raw::operation::{self, Endpoint, Operation, RetryClass};
pub use retry::RetryPolicy;
pub use stats::{
    DEFAULT_STATS_CONCURRENCY, FieldMerge, MAX_STATS_DAYS, StatsDays, StatsDaysFault, StatsMerge,
    StatsQuery, StatsWindow, stats_group_keys,
};
pub use token::ApiToken;
pub use values::{BannerExt, CampaignExt};

/// The README's examples, compiled as doc tests so that they stay true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
