//! Custom bids per placement.

use std::collections::BTreeMap;

use adsterra::Endpoint;

use crate::args::{BidChange, BidsCommand};
use crate::context::Context;
use crate::failure::Failure;
use crate::input;
use crate::plan;
use crate::records::BIDS;

pub async fn run(context: &Context, command: BidsCommand) -> Result<(), Failure> {
    let client = &context.client;
    match command {
        BidsCommand::List(id) => {
            let bids = context.call(client.custom_bids(id.campaign).list()).await?;
            context.printer.list(BIDS, &bids)
        }
        BidsCommand::Set(change) => change_bids(context, change, Endpoint::SetCustomBids).await,
        BidsCommand::Update(change) => {
            change_bids(context, change, Endpoint::UpdateCustomBids).await
        }
        BidsCommand::Remove(change) => {
            let placements = input::placements(context, &change)?;
            let bids = client.custom_bids(change.campaign);
            if change.dry_run.dry_run {
                let current = current(context, change.campaign).await?;
                let effects = placements
                    .iter()
                    .map(|placement| match current.get(placement) {
                        Some(price) => format!("placement {placement}: remove its bid of {price}"),
                        None => format!("placement {placement}: nothing, it has no custom bid"),
                    })
                    .collect::<Vec<_>>();
                return plan::print(
                    context,
                    &effects,
                    &[(
                        Endpoint::DeleteCustomBids,
                        &[("campaign_id", change.campaign)],
                    )],
                );
            }
            let left = context.call(bids.remove(placements)).await?;
            context.printer.list(BIDS, &left)
        }
        BidsCommand::Clear(clear) => {
            let count = current(context, clear.campaign).await?.len();
            let question = format!(
                "remove every custom bid ({count}) of campaign {}",
                clear.campaign
            );
            if clear.dry_run.dry_run {
                return plan::print(
                    context,
                    &[question],
                    &[(
                        Endpoint::CleanCustomBids,
                        &[("campaign_id", clear.campaign)],
                    )],
                );
            }
            context.confirm(&question, clear.confirm.yes)?;
            let left = context
                .call(client.custom_bids(clear.campaign).clear())
                .await?;
            context.printer.list(BIDS, &left)
        }
    }
}

/// `bids set` and `bids update`: the same input, a different operation.
async fn change_bids(
    context: &Context,
    change: BidChange,
    operation: Endpoint,
) -> Result<(), Failure> {
    let bids = input::bids(context, &change)?;
    if change.dry_run.dry_run {
        let current = current(context, change.campaign).await?;
        let effects = bids
            .iter()
            .map(|(placement, price)| match current.get(placement) {
                Some(now) => format!("placement {placement}: bid {now} -> {price}"),
                None if operation == Endpoint::UpdateCustomBids => format!(
                    "placement {placement}: has no custom bid to update (bids set adds one)"
                ),
                None => format!("placement {placement}: new bid {price}"),
            })
            .collect::<Vec<_>>();
        return plan::print(
            context,
            &effects,
            &[(operation, &[("campaign_id", change.campaign)])],
        );
    }
    let custom_bids = context.client.custom_bids(change.campaign);
    let after = if operation == Endpoint::SetCustomBids {
        context.call(custom_bids.set(bids)).await?
    } else {
        context.call(custom_bids.update(bids)).await?
    };
    context.printer.list(BIDS, &after)
}

/// The campaign's bids now, by placement.
async fn current(context: &Context, campaign: i64) -> Result<BTreeMap<i64, f64>, Failure> {
    let bids = context.client.custom_bids(campaign).list().await?;
    Ok(bids
        .into_iter()
        .map(|bid| (bid.placement_id, bid.price))
        .collect())
}
