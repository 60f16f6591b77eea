//! Balance, campaigns and banners.

use adsterra::types::CampaignState;
use adsterra::{CampaignExt, Endpoint};

use crate::args::{BannerCommand, BannerWrite, CampaignCommand, CampaignWrite};
use crate::context::Context;
use crate::failure::Failure;
use crate::plan;
use crate::records::{BALANCE, BANNERS, CAMPAIGNS, LANDINGS};

pub async fn balance(context: &Context) -> Result<(), Failure> {
    let balance = context.call(context.client.balance()).await?;
    context.printer.one(BALANCE, &balance)
}

pub async fn campaigns(context: &Context) -> Result<(), Failure> {
    let campaigns = context.call(context.client.campaigns()).await?;
    context.printer.list(CAMPAIGNS, &campaigns)
}

pub async fn campaign(context: &Context, command: CampaignCommand) -> Result<(), Failure> {
    let client = &context.client;
    match command {
        CampaignCommand::Get(id) => {
            let campaign = context.call(client.campaign(id.campaign).get()).await?;
            context.printer.one(CAMPAIGNS, &campaign)
        }
        CampaignCommand::Pause(write) => campaign_activity(context, write, false).await,
        CampaignCommand::Resume(write) => campaign_activity(context, write, true).await,
        CampaignCommand::Banners(id) => {
            let banners = context.call(client.campaign(id.campaign).banners()).await?;
            context.printer.list(BANNERS, &banners)
        }
        CampaignCommand::Landings(id) => {
            let landings = context
                .call(client.campaign(id.campaign).landings())
                .await?;
            context.printer.list(LANDINGS, &landings)
        }
    }
}

async fn campaign_activity(
    context: &Context,
    write: CampaignWrite,
    active: bool,
) -> Result<(), Failure> {
    let campaign = context.client.campaign(write.campaign);
    if write.dry_run.dry_run {
        let now = campaign.get().await?;
        let target = if active {
            CampaignState::Active
        } else {
            CampaignState::Inactive
        };
        let name = now.alias.as_deref().unwrap_or("without alias");
        let effect = match now.state() {
            Some(state) if state == target => {
                format!("nothing: campaign {} ({name}) is already {target}", now.id)
            }
            Some(state) => format!("campaign {} ({name}): {state} -> {target}", now.id),
            None => format!("campaign {} ({name}): state not sent -> {target}", now.id),
        };
        return plan::print(
            context,
            &[effect],
            &[(
                Endpoint::UpdateCampaignActivity,
                &[("campaign_id", write.campaign)],
            )],
        );
    }
    let updated = if active {
        context.call(campaign.resume()).await?
    } else {
        context.call(campaign.pause()).await?
    };
    context.printer.one(CAMPAIGNS, &updated)
}

pub async fn banner(context: &Context, command: BannerCommand) -> Result<(), Failure> {
    match command {
        BannerCommand::Pause(write) => banner_activity(context, write, false).await,
        BannerCommand::Resume(write) => banner_activity(context, write, true).await,
        BannerCommand::Landings(id) => {
            let landings = context
                .call(context.client.banner(id.banner).landings())
                .await?;
            context.printer.list(LANDINGS, &landings)
        }
    }
}

async fn banner_activity(
    context: &Context,
    write: BannerWrite,
    active: bool,
) -> Result<(), Failure> {
    let banner = context.client.banner(write.banner);
    if write.dry_run.dry_run {
        // Adsterra has no call that reads one banner, so its current state is not shown.
        let target = if active { "active" } else { "inactive" };
        return plan::print(
            context,
            &[format!("banner {}: -> {target}", write.banner)],
            &[(
                Endpoint::UpdateBannerActivity,
                &[("banner_id", write.banner)],
            )],
        );
    }
    let updated = if active {
        context.call(banner.resume()).await?
    } else {
        context.call(banner.pause()).await?
    };
    context.printer.one(BANNERS, &updated)
}
