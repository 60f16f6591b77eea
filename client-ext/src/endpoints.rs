//! Every endpoint, in Adsterra's words: `client.balance()`, `client.campaign(id).pause()`,
//! `client.blacklist(campaign).add(ids)`, `client.stats().between(from, to)...`.
//!
//! Each call validates its input before anything is sent (errors name the field), asks for the
//! client's format, and returns the same typed values whichever format travelled.
//!
//! A handle (`CampaignRef`, `Blacklist`, ...) owns a clone of the client, which shares the
//! connection pool, rate limit and retry budget, so it can be moved into a spawned task.

use std::future::Future;

use crate::call::send;
use crate::input::{id, placement_ids};
use crate::list_plan::{ListChange, ListPlan, PlacementList, SyncReport};
use crate::raw::types;
use crate::stats::StatsQuery;
use crate::{Client, Endpoint, Error};

/// Sends `batches` one after the other with `send` and returns the last answer (the state after
/// the whole change), or `None` when there is nothing to send. When one fails and there were
/// several, the error says which placements applied, which may have, and which were not sent.
pub(crate) async fn in_order<B, R, Fut>(
    batches: &[B],
    placements: impl Fn(&B) -> Vec<i64>,
    mut send: impl FnMut(B) -> Fut,
) -> Result<Option<R>, Error>
where
    B: Clone,
    Fut: Future<Output = Result<R, Error>>,
{
    let mut applied = Vec::new();
    let mut last = None;
    for (index, batch) in batches.iter().enumerate() {
        match send(batch.clone()).await {
            Ok(answer) => {
                applied.extend(placements(batch));
                last = Some(answer);
            }
            Err(source) if batches.len() == 1 => return Err(source),
            Err(source) => {
                return Err(Error::PartiallyApplied {
                    applied,
                    unsure: placements(batch),
                    not_sent: batches[index + 1..].iter().flat_map(&placements).collect(),
                    source: Box::new(source),
                });
            }
        }
    }
    Ok(last)
}

/// Sends `items` in batches of the client's batch size, each with `apply` (see [`in_order`]).
async fn in_batches<T, R, Fut>(
    client: &Client,
    items: Vec<T>,
    key: impl Fn(&T) -> i64,
    apply: impl FnMut(Vec<T>) -> Fut,
) -> Result<R, Error>
where
    T: Clone,
    Fut: Future<Output = Result<R, Error>>,
{
    let batches: Vec<Vec<T>> = items.chunks(client.batch_size).map(<[T]>::to_vec).collect();
    let answer = in_order(&batches, |batch| batch.iter().map(&key).collect(), apply).await?;
    Ok(answer.expect("callers refuse empty changes, so there is at least one batch"))
}

impl Client {
    /// The account balance.
    pub async fn balance(&self) -> Result<types::Balance, Error> {
        send!(
            self,
            Endpoint::GetBalance,
            [get_balance, get_balance_csv, get_balance_xml],
            |b| b
        )
    }

    /// Every campaign of the account (there is no pagination; `itemCount` is checked).
    pub async fn campaigns(&self) -> Result<Vec<types::Campaign>, Error> {
        let list: types::CampaignList = send!(
            self,
            Endpoint::GetCampaigns,
            [get_campaigns, get_campaigns_csv, get_campaigns_xml],
            |b| b
        )?;
        Ok(list.items)
    }

    /// One campaign's calls.
    pub fn campaign(&self, id: i64) -> CampaignRef {
        CampaignRef {
            client: self.clone(),
            id,
        }
    }

    /// One banner's calls.
    pub fn banner(&self, id: i64) -> BannerRef {
        BannerRef {
            client: self.clone(),
            id,
        }
    }

    /// The placements a campaign must not buy from.
    pub fn blacklist(&self, campaign: i64) -> Blacklist {
        Blacklist {
            client: self.clone(),
            campaign,
        }
    }

    /// The placements a campaign buys from exclusively.
    pub fn whitelist(&self, campaign: i64) -> Whitelist {
        Whitelist {
            client: self.clone(),
            campaign,
        }
    }

    /// A campaign's bids for single placements.
    pub fn custom_bids(&self, campaign: i64) -> CustomBids {
        CustomBids {
            client: self.clone(),
            campaign,
        }
    }

    /// A statistics request; set the dates with [`StatsQuery::between`].
    pub fn stats(&self) -> StatsQuery {
        StatsQuery::new(self)
    }
}

/// The calls of one campaign.
#[derive(Debug, Clone)]
#[must_use = "a handle sends nothing until one of its calls is awaited"]
pub struct CampaignRef {
    client: Client,
    id: i64,
}

impl CampaignRef {
    /// The campaign.
    pub async fn get(&self) -> Result<types::Campaign, Error> {
        let id = id("campaign_id", self.id)?;
        send!(
            &self.client,
            Endpoint::GetCampaign,
            [get_campaign, get_campaign_csv, get_campaign_xml],
            |b| b.campaign_id(id)
        )
    }

    /// Starts the campaign (state 3, active).
    pub async fn resume(&self) -> Result<types::Campaign, Error> {
        self.set_activity(true).await
    }

    /// Stops the campaign (state 1, inactive).
    pub async fn pause(&self) -> Result<types::Campaign, Error> {
        self.set_activity(false).await
    }

    async fn set_activity(&self, active: bool) -> Result<types::Campaign, Error> {
        let id = id("campaign_id", self.id)?;
        let body = types::ActivityUpdate { active };
        send!(
            &self.client,
            Endpoint::UpdateCampaignActivity,
            [
                update_campaign_activity,
                update_campaign_activity_csv,
                update_campaign_activity_xml
            ],
            |b| b.campaign_id(id).body(body.clone())
        )
    }

    /// The campaign's banners.
    pub async fn banners(&self) -> Result<Vec<types::Banner>, Error> {
        let id = id("campaign_id", self.id)?;
        let list: types::BannerList = send!(
            &self.client,
            Endpoint::GetCampaignBanners,
            [
                get_campaign_banners,
                get_campaign_banners_csv,
                get_campaign_banners_xml
            ],
            |b| b.campaign_id(id)
        )?;
        Ok(list.items)
    }

    /// The campaign's landings.
    pub async fn landings(&self) -> Result<Vec<types::Landing>, Error> {
        let id = id("campaign_id", self.id)?;
        let list: types::LandingList = send!(
            &self.client,
            Endpoint::GetCampaignLandings,
            [
                get_campaign_landings,
                get_campaign_landings_csv,
                get_campaign_landings_xml
            ],
            |b| b.campaign_id(id)
        )?;
        Ok(list.items)
    }

    /// The campaign's blacklist.
    pub fn blacklist(&self) -> Blacklist {
        self.client.blacklist(self.id)
    }

    /// The campaign's whitelist.
    pub fn whitelist(&self) -> Whitelist {
        self.client.whitelist(self.id)
    }

    /// The campaign's custom bids.
    pub fn custom_bids(&self) -> CustomBids {
        self.client.custom_bids(self.id)
    }
}

/// The calls of one banner.
#[derive(Debug, Clone)]
#[must_use = "a handle sends nothing until one of its calls is awaited"]
pub struct BannerRef {
    client: Client,
    id: i64,
}

impl BannerRef {
    /// Starts the banner.
    pub async fn resume(&self) -> Result<types::Banner, Error> {
        self.set_activity(true).await
    }

    /// Stops the banner.
    pub async fn pause(&self) -> Result<types::Banner, Error> {
        self.set_activity(false).await
    }

    async fn set_activity(&self, active: bool) -> Result<types::Banner, Error> {
        let id = id("banner_id", self.id)?;
        let body = types::BannerActivityUpdate { active };
        send!(
            &self.client,
            Endpoint::UpdateBannerActivity,
            [
                update_banner_activity,
                update_banner_activity_csv,
                update_banner_activity_xml
            ],
            |b| b.banner_id(id).body(body.clone())
        )
    }

    /// The banner's landings.
    pub async fn landings(&self) -> Result<Vec<types::Landing>, Error> {
        let id = id("banner_id", self.id)?;
        let list: types::LandingList = send!(
            &self.client,
            Endpoint::GetBannerLandings,
            [
                get_banner_landings,
                get_banner_landings_csv,
                get_banner_landings_xml
            ],
            |b| b.banner_id(id)
        )?;
        Ok(list.items)
    }
}

/// The blacklist of one campaign. Every change returns the list as it is afterwards.
#[derive(Debug, Clone)]
#[must_use = "a handle sends nothing until one of its calls is awaited"]
pub struct Blacklist {
    client: Client,
    campaign: i64,
}

impl Blacklist {
    /// The blacklisted placements.
    pub async fn list(&self) -> Result<Vec<i64>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let list: types::PlacementIdList = send!(
            &self.client,
            Endpoint::GetCampaignBlacklist,
            [
                get_campaign_blacklist,
                get_campaign_blacklist_csv,
                get_campaign_blacklist_xml
            ],
            |b| b.campaign_id(campaign)
        )?;
        Ok(list.placement_ids)
    }

    /// Adds placements.
    pub async fn add(&self, placements: impl IntoIterator<Item = i64>) -> Result<Vec<i64>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let placements = placement_ids(placements, false)?;
        in_batches(
            &self.client,
            placements,
            |p| p.get() as i64,
            |batch| async move {
                let body = types::PlacementLinkingChange {
                    campaign_id: campaign,
                    placement_ids: batch,
                };
                let list: types::PlacementIdList = send!(
                    &self.client,
                    Endpoint::AddToBlacklist,
                    [add_to_blacklist, add_to_blacklist_csv, add_to_blacklist_xml],
                    |b| b.body(body.clone())
                )?;
                Ok(list.placement_ids)
            },
        )
        .await
    }

    /// Removes placements.
    pub async fn remove(
        &self,
        placements: impl IntoIterator<Item = i64>,
    ) -> Result<Vec<i64>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let placements = placement_ids(placements, false)?;
        in_batches(
            &self.client,
            placements,
            |p| p.get() as i64,
            |batch| async move {
                let body = types::PlacementLinkingChange {
                    campaign_id: campaign,
                    placement_ids: batch,
                };
                let list: types::PlacementIdList = send!(
                    &self.client,
                    Endpoint::DeleteFromBlacklist,
                    [
                        delete_from_blacklist,
                        delete_from_blacklist_csv,
                        delete_from_blacklist_xml
                    ],
                    |b| b.body(body.clone())
                )?;
                Ok(list.placement_ids)
            },
        )
        .await
    }

    /// Replaces the whole list; an empty list clears it.
    pub async fn replace(
        &self,
        placements: impl IntoIterator<Item = i64>,
    ) -> Result<Vec<i64>, Error> {
        let body = types::PlacementLinkingReplace {
            campaign_id: id("campaign_id", self.campaign)?,
            placement_ids: placement_ids(placements, true)?,
        };
        let list: types::PlacementIdList = send!(
            &self.client,
            Endpoint::ReplaceBlacklist,
            [
                replace_blacklist,
                replace_blacklist_csv,
                replace_blacklist_xml
            ],
            |b| b.body(body.clone())
        )?;
        Ok(list.placement_ids)
    }

    /// Removes every placement.
    pub async fn clear(&self) -> Result<Vec<i64>, Error> {
        let body = types::PlacementLinkingClean {
            campaign_id: id("campaign_id", self.campaign)?,
        };
        let list: types::PlacementIdList = send!(
            &self.client,
            Endpoint::CleanBlacklist,
            [clean_blacklist, clean_blacklist_csv, clean_blacklist_xml],
            |b| b.body(body.clone())
        )?;
        Ok(list.placement_ids)
    }
}

impl Blacklist {
    /// What `change` would do to the blacklist, from one read of it; print it or
    /// [`ListPlan::apply`] it.
    pub async fn plan(&self, change: ListChange) -> Result<ListPlan, Error> {
        ListPlan::new(
            &self.client,
            PlacementList::Blacklist,
            self.campaign,
            change,
        )
        .await
    }

    /// Makes the blacklist exactly `desired` with the fewest requests: one read, then, when it
    /// differs, one replace.
    pub async fn sync(&self, desired: impl IntoIterator<Item = i64>) -> Result<SyncReport, Error> {
        let desired = ListChange::Sync(desired.into_iter().collect());
        self.plan(desired).await?.apply(&self.client).await
    }
}

/// The whitelist of one campaign. Every change returns the list as it is afterwards.
#[derive(Debug, Clone)]
#[must_use = "a handle sends nothing until one of its calls is awaited"]
pub struct Whitelist {
    client: Client,
    campaign: i64,
}

impl Whitelist {
    /// The whitelisted placements.
    pub async fn list(&self) -> Result<Vec<i64>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let list: types::PlacementIdList = send!(
            &self.client,
            Endpoint::GetCampaignWhitelist,
            [
                get_campaign_whitelist,
                get_campaign_whitelist_csv,
                get_campaign_whitelist_xml
            ],
            |b| b.campaign_id(campaign)
        )?;
        Ok(list.placement_ids)
    }

    /// Adds placements.
    pub async fn add(&self, placements: impl IntoIterator<Item = i64>) -> Result<Vec<i64>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let placements = placement_ids(placements, false)?;
        in_batches(
            &self.client,
            placements,
            |p| p.get() as i64,
            |batch| async move {
                let body = types::PlacementLinkingChange {
                    campaign_id: campaign,
                    placement_ids: batch,
                };
                let list: types::PlacementIdList = send!(
                    &self.client,
                    Endpoint::AddToWhitelist,
                    [add_to_whitelist, add_to_whitelist_csv, add_to_whitelist_xml],
                    |b| b.body(body.clone())
                )?;
                Ok(list.placement_ids)
            },
        )
        .await
    }

    /// Removes placements.
    pub async fn remove(
        &self,
        placements: impl IntoIterator<Item = i64>,
    ) -> Result<Vec<i64>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let placements = placement_ids(placements, false)?;
        in_batches(
            &self.client,
            placements,
            |p| p.get() as i64,
            |batch| async move {
                let body = types::PlacementLinkingChange {
                    campaign_id: campaign,
                    placement_ids: batch,
                };
                let list: types::PlacementIdList = send!(
                    &self.client,
                    Endpoint::DeleteFromWhitelist,
                    [
                        delete_from_whitelist,
                        delete_from_whitelist_csv,
                        delete_from_whitelist_xml
                    ],
                    |b| b.body(body.clone())
                )?;
                Ok(list.placement_ids)
            },
        )
        .await
    }

    /// Removes every placement.
    pub async fn clear(&self) -> Result<Vec<i64>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let list: types::PlacementIdList = send!(
            &self.client,
            Endpoint::CleanCampaignWhitelist,
            [
                clean_campaign_whitelist,
                clean_campaign_whitelist_csv,
                clean_campaign_whitelist_xml
            ],
            |b| b.campaign_id(campaign)
        )?;
        Ok(list.placement_ids)
    }
}

impl Whitelist {
    /// What `change` would do to the whitelist, from one read of it; print it or
    /// [`ListPlan::apply`] it. The whitelist has no replace: [`ListChange::Sync`] makes it
    /// exactly a list.
    pub async fn plan(&self, change: ListChange) -> Result<ListPlan, Error> {
        ListPlan::new(
            &self.client,
            PlacementList::Whitelist,
            self.campaign,
            change,
        )
        .await
    }

    /// Makes the whitelist exactly `desired` with the fewest requests: one read, then a clear
    /// when nothing should stay, else an add of what is missing and a remove of what is extra.
    pub async fn sync(&self, desired: impl IntoIterator<Item = i64>) -> Result<SyncReport, Error> {
        let desired = ListChange::Sync(desired.into_iter().collect());
        self.plan(desired).await?.apply(&self.client).await
    }
}

/// The custom bids of one campaign. Every change returns all bids as they are afterwards.
#[derive(Debug, Clone)]
#[must_use = "a handle sends nothing until one of its calls is awaited"]
pub struct CustomBids {
    client: Client,
    campaign: i64,
}

impl CustomBids {
    /// Every custom bid.
    pub async fn list(&self) -> Result<Vec<types::CustomBid>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let list: types::CustomBidList = send!(
            &self.client,
            Endpoint::GetCustomBids,
            [get_custom_bids, get_custom_bids_csv, get_custom_bids_xml],
            |b| b.campaign_id(campaign)
        )?;
        Ok(list.items)
    }

    /// Sets (creates or overwrites) bids: `(placement, price in USD)` pairs.
    pub async fn set(
        &self,
        bids: impl IntoIterator<Item = (i64, f64)>,
    ) -> Result<Vec<types::CustomBid>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let bids = placement_bids(bids)?;
        in_batches(
            &self.client,
            bids,
            |bid| bid.placement_id.get() as i64,
            |batch| async move {
                let body = types::CustomBidChange { bids: batch };
                let list: types::CustomBidList = send!(
                    &self.client,
                    Endpoint::SetCustomBids,
                    [set_custom_bids, set_custom_bids_csv, set_custom_bids_xml],
                    |b| b.campaign_id(campaign).body(body.clone())
                )?;
                Ok(list.items)
            },
        )
        .await
    }

    /// Changes existing bids (a placement without a bid is answered 422).
    pub async fn update(
        &self,
        bids: impl IntoIterator<Item = (i64, f64)>,
    ) -> Result<Vec<types::CustomBid>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let bids = placement_bids(bids)?;
        in_batches(
            &self.client,
            bids,
            |bid| bid.placement_id.get() as i64,
            |batch| async move {
                let body = types::CustomBidChange { bids: batch };
                let list: types::CustomBidList = send!(
                    &self.client,
                    Endpoint::UpdateCustomBids,
                    [
                        update_custom_bids,
                        update_custom_bids_csv,
                        update_custom_bids_xml
                    ],
                    |b| b.campaign_id(campaign).body(body.clone())
                )?;
                Ok(list.items)
            },
        )
        .await
    }

    /// Removes the bids of some placements.
    pub async fn remove(
        &self,
        placements: impl IntoIterator<Item = i64>,
    ) -> Result<Vec<types::CustomBid>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let placements = placement_ids(placements, false)?;
        in_batches(
            &self.client,
            placements,
            |p| p.get() as i64,
            |batch| async move {
                let body = types::CustomBidRemoval {
                    placement_ids: batch,
                };
                let list: types::CustomBidList = send!(
                    &self.client,
                    Endpoint::DeleteCustomBids,
                    [
                        delete_custom_bids,
                        delete_custom_bids_csv,
                        delete_custom_bids_xml
                    ],
                    |b| b.campaign_id(campaign).body(body.clone())
                )?;
                Ok(list.items)
            },
        )
        .await
    }

    /// Removes every custom bid.
    pub async fn clear(&self) -> Result<Vec<types::CustomBid>, Error> {
        let campaign = id("campaign_id", self.campaign)?;
        let list: types::CustomBidList = send!(
            &self.client,
            Endpoint::CleanCustomBids,
            [
                clean_custom_bids,
                clean_custom_bids_csv,
                clean_custom_bids_xml
            ],
            |b| b.campaign_id(campaign)
        )?;
        Ok(list.items)
    }
}

fn placement_bids(
    bids: impl IntoIterator<Item = (i64, f64)>,
) -> Result<Vec<types::PlacementBid>, Error> {
    let bids = bids
        .into_iter()
        .map(|(placement, price)| {
            if !(price.is_finite() && price > 0.0) {
                return Err(Error::invalid(
                    "price",
                    format!("must be a number of USD above 0, got {price}"),
                ));
            }
            Ok(types::PlacementBid {
                placement_id: id("placement_id", placement)?,
                price,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    if bids.is_empty() {
        return Err(Error::invalid(
            "bids",
            "is empty; give at least one (placement, price)",
        ));
    }
    Ok(bids)
}
