//! The raw generated client, used as a program written against `adsterra-generated` would use
//! it. `tests/tests/semver.rs` compiles this file against a client regenerated from an additively
//! changed spec: what compiles here must keep compiling.
//!
//! Run it against a sandbox (`cargo run -p adsterra-sandbox`):
//! `ADSTERRA_BASE_URL=http://127.0.0.1:8040/advertiser ADSTERRA_API_KEY=... cargo run -p adsterra-generated --example raw_client`

use std::num::NonZeroU64;

use adsterra_generated::types::{self, StatsGroupBy};
use adsterra_generated::{Client, Error, Policy};
use futures::TryStreamExt;
use reqwest::header::{HeaderMap, HeaderValue};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url = std::env::var("ADSTERRA_BASE_URL")?;
    let mut token = HeaderValue::from_str(&std::env::var("ADSTERRA_API_KEY")?)?;
    token.set_sensitive(true);
    let headers = HeaderMap::from_iter([("x-api-key".parse()?, token)]);
    let http = reqwest::Client::builder()
        .default_headers(headers)
        .build()?;
    let client = Client::new_with_client(&base_url, http, Policy::none());

    // Fields read from answers.
    let balance = client.get_balance().send().await?.into_inner();
    println!("balance: {} USD", balance.balance);
    let campaigns = client.get_campaigns().send().await?.into_inner();
    for campaign in &campaigns.items {
        let types::Campaign {
            id, alias, active, ..
        } = campaign;
        println!("campaign {id} {alias:?} state {active:?}");
    }
    let first = campaigns.items.first().ok_or("no campaign")?;
    let campaign_id = NonZeroU64::new(first.id as u64).ok_or("a campaign id is positive")?;

    // Query parameters, enums and a CSV body.
    let stats = client
        .get_stats()
        .start_date("2026-11-01".parse::<chrono::NaiveDate>()?)
        .finish_date("2026-11-27".parse::<chrono::NaiveDate>()?)
        .group_by(vec![StatsGroupBy::Date, StatsGroupBy::Country])
        .campaign(campaign_id)
        .send()
        .await?
        .into_inner();
    let spent: f64 = stats.items.iter().map(|row| row.spent).sum();
    println!("{} rows, {spent:.3} USD spent", stats.items.len());
    let mut body = client
        .get_balance_csv()
        .send()
        .await?
        .into_inner()
        .into_inner();
    let mut csv = Vec::new();
    while let Some(chunk) = body.try_next().await? {
        csv.extend_from_slice(&chunk);
    }
    println!("balance as CSV: {:?}", String::from_utf8_lossy(&csv));

    // A request body built with the generated builder, which keeps compiling when the spec
    // gives the body a new optional field.
    let change: types::PlacementLinkingChange = types::PlacementLinkingChange::builder()
        .campaign_id(campaign_id)
        .placement_ids(vec![NonZeroU64::new(15_413_270).ok_or("positive")?])
        .try_into()?;
    let list = client.add_to_blacklist().body(change).send().await?;
    println!("blacklist: {:?}", list.into_inner().placement_ids);

    // Typed errors: Adsterra's {code, message, data} on a 404.
    match client
        .get_campaign()
        .campaign_id(NonZeroU64::MIN)
        .send()
        .await
    {
        Err(Error::ErrorResponse(answer)) => {
            println!(
                "campaign 1: {} {}",
                answer.status(),
                answer.into_inner().message
            )
        }
        other => println!("campaign 1: {other:?}"),
    }
    Ok(())
}
