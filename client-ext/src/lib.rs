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
//! let token = adsterra::ApiToken::new(std::env::var("ADSTERRA_API_KEY")?)?;
//! let client = adsterra::client(adsterra::DEFAULT_BASE_URL, token)?;
//! let balance = client.get_balance().send().await?;
//! println!("{}", balance.balance);
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod base_url;
mod client;
mod error;
mod token;

pub use adsterra_generated as raw;
pub use base_url::BaseUrl;
pub use client::{DEFAULT_BASE_URL, client};
pub use error::Error;
pub use token::ApiToken;
