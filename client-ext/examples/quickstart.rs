//! The `adsterra` client end to end against the local sandbox: balance, campaigns, a week of
//! stats in all three formats, and a blacklist kept in sync. No network, no token.
//!
//! `cargo run -p adsterra --example quickstart`

use adsterra::types::StatsGroupBy;
use adsterra::{ApiToken, CampaignExt, Client, Format};
use adsterra_sandbox::{Config, Sandbox};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start(Config::default()).await?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .token(ApiToken::new(sandbox.token())?)
        .build()?;

    println!("balance: {:.2} USD", client.balance().await?.balance);
    let campaigns = client.campaigns().await?;
    println!("{} campaigns", campaigns.len());
    for campaign in campaigns.iter().take(5) {
        println!(
            "  {} {:<28} {:?} {:?}",
            campaign.id,
            campaign.alias.as_deref().unwrap_or("(no name)"),
            campaign.state(),
            campaign.ad_format()
        );
    }

    let (start, finish) = ("2026-11-21".parse()?, "2026-11-27".parse()?);
    for format in [Format::Json, Format::Csv, Format::Xml] {
        let rows = client
            .with_format(format)
            .stats()
            .between(start, finish)
            .group_by([StatsGroupBy::Date])
            .send()
            .await?;
        let spent: f64 = rows.iter().map(|row| row.spent).sum();
        println!("stats.{format}: {} days, {spent:.3} USD spent", rows.len());
    }

    let campaign = campaigns[0].id;
    let report = client
        .blacklist(campaign)
        .sync([15_413_270, 15_413_272])
        .await?;
    println!(
        "blacklist of {campaign}: +{:?} -{:?} in {} requests",
        report.added, report.removed, report.calls
    );
    sandbox.shutdown().await;
    Ok(())
}
