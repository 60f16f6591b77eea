//! Every endpoint, in Adsterra's words: `client.balance()`, `client.campaign(id).pause()`,
//! `client.blacklist(campaign).add(ids)`, `client.stats().between(from, to)...`.
//!
//! Each call validates its input before anything is sent (errors name the field), asks for the
//! client's format, and returns the same typed values whichever format travelled.
//!
//! A handle (`CampaignRef`, `Blacklist`, ...) owns a clone of the client, which shares the
//! connection pool, rate limit and retry budget, so it can be moved into a spawned task.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;

use crate::call::send;
use crate::input::{id, placement_ids};
use crate::raw::types;
use crate::stats::StatsQuery;
use crate::{Client, Endpoint, Error};

/// Sends `batches` one after the other with `send` and returns the last answer (the state after
/// the whole change), or `None` when there is nothing to send. When one fails and there were
/// several, the error says which placements applied, which may have, and which were not sent.
async fn in_order<B, R, Fut>(
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

/// One of a campaign's two placement lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlacementList {
    /// The placements the campaign must not buy from ([`Blacklist`]).
    Blacklist,
    /// The placements the campaign buys from exclusively ([`Whitelist`]).
    Whitelist,
}

impl fmt::Display for PlacementList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Blacklist => "blacklist",
            Self::Whitelist => "whitelist",
        })
    }
}

/// A change to a placement list, to plan with [`Blacklist::plan`] or [`Whitelist::plan`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListChange {
    /// Adds placements, as [`Blacklist::add`] does.
    Add(Vec<i64>),
    /// Removes placements, as [`Blacklist::remove`] does.
    Remove(Vec<i64>),
    /// Replaces the whole list, as [`Blacklist::replace`] does (the blacklist only).
    Replace(Vec<i64>),
    /// Removes every placement.
    Clear,
    /// Makes the list exactly these placements with the fewest requests.
    Sync(Vec<i64>),
}

/// One request of a [`ListPlan`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ListRequest {
    /// Adds one batch of placements.
    Add(Vec<i64>),
    /// Removes one batch of placements.
    Remove(Vec<i64>),
    /// Replaces the whole list with these placements (the blacklist only).
    Replace(Vec<i64>),
    /// Removes every placement.
    Clear,
}

impl ListRequest {
    /// The placements the request names (none for a clear).
    pub fn placements(&self) -> &[i64] {
        match self {
            Self::Add(ids) | Self::Remove(ids) | Self::Replace(ids) => ids,
            Self::Clear => &[],
        }
    }
}

/// Which change a plan was made for; it decides how the plan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intent {
    Add,
    Remove,
    Replace,
    Clear,
    Sync,
}

/// What a list change does, worked out from the list as it is: the placements it adds and
/// removes, and the requests, batch by batch, that do it. The same value prints (`Display`: one
/// line per fact, as a dry run shows it) and runs ([`ListPlan::apply`]), so what is shown is
/// what is sent.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sandbox = adsterra_sandbox::Sandbox::start(Default::default()).await?;
/// # let client = adsterra::Client::builder().base_url(sandbox.base_url())
/// #     .token(adsterra::ApiToken::new(sandbox.token())?).build()?;
/// # let campaign = client.campaigns().await?[0].id;
/// use adsterra::{Endpoint, ListChange};
///
/// let whitelist = client.whitelist(campaign);
/// # whitelist.clear().await?;
/// let plan = whitelist.plan(ListChange::Sync(vec![15_413_270])).await?;
/// println!("{plan}"); // whitelist of campaign …: 0 placements now / add 1 placement: 15413270
/// assert_eq!(plan.endpoints().collect::<Vec<_>>(), [Endpoint::AddToWhitelist]);
/// let report = plan.apply(&client).await?;
/// assert_eq!((report.added, report.calls), (vec![15_413_270], 2));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListPlan {
    list: PlacementList,
    campaign: i64,
    intent: Intent,
    current: Vec<i64>,
    added: Vec<i64>,
    removed: Vec<i64>,
    unchanged: Vec<i64>,
    requests: Vec<ListRequest>,
}

impl ListPlan {
    /// Checks `change`, reads the list once and works out the requests.
    async fn new(
        client: &Client,
        list: PlacementList,
        campaign: i64,
        change: ListChange,
    ) -> Result<Self, Error> {
        id("campaign_id", campaign)?;
        let (intent, asked) = match change {
            ListChange::Add(ids) => (Intent::Add, ids),
            ListChange::Remove(ids) => (Intent::Remove, ids),
            ListChange::Replace(_) if list == PlacementList::Whitelist => {
                return Err(Error::invalid(
                    "change",
                    "the whitelist has no replace; ListChange::Sync makes it exactly a list",
                ));
            }
            ListChange::Replace(ids) => (Intent::Replace, ids),
            ListChange::Clear => (Intent::Clear, Vec::new()),
            ListChange::Sync(ids) => (Intent::Sync, ids),
        };
        // Checked before the read: an add or a remove needs a placement, a set may be empty.
        let allow_empty = !matches!(intent, Intent::Add | Intent::Remove);
        placement_ids(asked.iter().copied(), allow_empty)?;
        let current = match list {
            PlacementList::Blacklist => client.blacklist(campaign).list().await?,
            PlacementList::Whitelist => client.whitelist(campaign).list().await?,
        };
        Ok(Self::worked_out(
            (list, campaign, intent),
            current,
            asked,
            client.batch_size,
        ))
    }

    /// The plan of `asked` (checked placements) against the `current` list, with changes
    /// sent in batches of `batch_size`.
    fn worked_out(
        (list, campaign, intent): (PlacementList, i64, Intent),
        current: Vec<i64>,
        asked: Vec<i64>,
        batch_size: usize,
    ) -> Self {
        let listed: BTreeSet<i64> = current.iter().copied().collect();
        // The placements as given (each once) make the lines a person reads; requests send
        // them sorted, as `add` and `remove` do.
        let mut wanted = BTreeSet::new();
        let given: Vec<i64> = asked.into_iter().filter(|p| wanted.insert(*p)).collect();
        let desired: Vec<i64> = wanted.iter().copied().collect();
        let batches = |ids: &[i64], request: fn(Vec<i64>) -> ListRequest| {
            ids.chunks(batch_size)
                .map(|batch| request(batch.to_vec()))
                .collect::<Vec<_>>()
        };
        let mut plan = Self {
            list,
            campaign,
            intent,
            current,
            added: Vec::new(),
            removed: Vec::new(),
            unchanged: Vec::new(),
            requests: Vec::new(),
        };
        match intent {
            Intent::Add | Intent::Remove => {
                let (listed_given, unlisted_given) = given.iter().partition(|p| listed.contains(p));
                if intent == Intent::Add {
                    (plan.added, plan.unchanged) = (unlisted_given, listed_given);
                    plan.requests = batches(&desired, ListRequest::Add);
                } else {
                    (plan.removed, plan.unchanged) = (listed_given, unlisted_given);
                    plan.requests = batches(&desired, ListRequest::Remove);
                }
            }
            Intent::Clear => {
                plan.removed = plan.current.clone();
                plan.requests = vec![ListRequest::Clear];
            }
            Intent::Replace | Intent::Sync => {
                plan.added = wanted.difference(&listed).copied().collect();
                plan.removed = listed.difference(&wanted).copied().collect();
                let changes = !(plan.added.is_empty() && plan.removed.is_empty());
                plan.requests = match list {
                    // A replace is one request, whatever the size of the change.
                    _ if intent == Intent::Replace => vec![ListRequest::Replace(desired)],
                    _ if !changes => vec![],
                    PlacementList::Blacklist => vec![ListRequest::Replace(desired)],
                    PlacementList::Whitelist if desired.is_empty() => vec![ListRequest::Clear],
                    PlacementList::Whitelist => {
                        let mut requests = batches(&plan.added, ListRequest::Add);
                        requests.extend(batches(&plan.removed, ListRequest::Remove));
                        requests
                    }
                };
            }
        }
        plan
    }

    /// The list the plan changes.
    pub fn list(&self) -> PlacementList {
        self.list
    }

    /// The campaign whose list it is.
    pub fn campaign(&self) -> i64 {
        self.campaign
    }

    /// The placements listed when the plan was made.
    pub fn current(&self) -> &[i64] {
        &self.current
    }

    /// The placements the change adds.
    pub fn added(&self) -> &[i64] {
        &self.added
    }

    /// The placements the change removes.
    pub fn removed(&self) -> &[i64] {
        &self.removed
    }

    /// The placements an add or a remove names that stay as they are (already listed, or not
    /// listed).
    pub fn unchanged(&self) -> &[i64] {
        &self.unchanged
    }

    /// The requests that make the change, in the order they are sent (none when a sync has
    /// nothing to do).
    pub fn requests(&self) -> &[ListRequest] {
        &self.requests
    }

    /// The endpoint of each request, in order.
    pub fn endpoints(&self) -> impl Iterator<Item = Endpoint> + '_ {
        self.requests.iter().map(|request| self.endpoint(request))
    }

    fn endpoint(&self, request: &ListRequest) -> Endpoint {
        match (self.list, request) {
            // Only the blacklist has a replace, and only its plans hold one.
            (_, ListRequest::Replace(_)) => Endpoint::ReplaceBlacklist,
            (PlacementList::Blacklist, ListRequest::Add(_)) => Endpoint::AddToBlacklist,
            (PlacementList::Blacklist, ListRequest::Remove(_)) => Endpoint::DeleteFromBlacklist,
            (PlacementList::Blacklist, ListRequest::Clear) => Endpoint::CleanBlacklist,
            (PlacementList::Whitelist, ListRequest::Add(_)) => Endpoint::AddToWhitelist,
            (PlacementList::Whitelist, ListRequest::Remove(_)) => Endpoint::DeleteFromWhitelist,
            (PlacementList::Whitelist, ListRequest::Clear) => Endpoint::CleanCampaignWhitelist,
        }
    }

    /// Sends the plan's requests in order. When one of several fails, the error is
    /// [`Error::PartiallyApplied`]: what applied, what may have, what was not sent.
    pub async fn apply(&self, client: &Client) -> Result<SyncReport, Error> {
        let after = in_order(
            &self.requests,
            |request| request.placements().to_vec(),
            |request| self.send(client, request),
        )
        .await?;
        Ok(SyncReport {
            added: self.added.clone(),
            removed: self.removed.clone(),
            calls: 1 + self.requests.len(),
            list: after.unwrap_or_else(|| self.current.clone()),
        })
    }

    async fn send(&self, client: &Client, request: ListRequest) -> Result<Vec<i64>, Error> {
        let blacklist = client.blacklist(self.campaign);
        let whitelist = client.whitelist(self.campaign);
        match (self.list, request) {
            (_, ListRequest::Replace(ids)) => blacklist.replace(ids).await,
            (PlacementList::Blacklist, ListRequest::Add(ids)) => blacklist.add(ids).await,
            (PlacementList::Blacklist, ListRequest::Remove(ids)) => blacklist.remove(ids).await,
            (PlacementList::Blacklist, ListRequest::Clear) => blacklist.clear().await,
            (PlacementList::Whitelist, ListRequest::Add(ids)) => whitelist.add(ids).await,
            (PlacementList::Whitelist, ListRequest::Remove(ids)) => whitelist.remove(ids).await,
            (PlacementList::Whitelist, ListRequest::Clear) => whitelist.clear().await,
        }
    }
}

/// The plan as a dry run shows it, one line per fact.
impl fmt::Display for ListPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (list, campaign) = (self.list, self.campaign);
        match self.intent {
            Intent::Add | Intent::Remove => {
                let (verb, changed, state) = if self.intent == Intent::Add {
                    ("add", &self.added, "already listed")
                } else {
                    ("remove", &self.removed, "not listed")
                };
                if changed.is_empty() {
                    write!(f, "nothing in the {list} of campaign {campaign}")?;
                } else {
                    write!(
                        f,
                        "{list} of campaign {campaign}: {verb} {}",
                        joined(changed)
                    )?;
                }
                if !self.unchanged.is_empty() {
                    write!(f, "\nunchanged, {state}: {}", joined(&self.unchanged))?;
                }
                Ok(())
            }
            Intent::Clear => write!(
                f,
                "remove every placement ({}) from the {list} of campaign {campaign}",
                self.current.len()
            ),
            Intent::Replace | Intent::Sync => {
                let now = count(self.current.len());
                if self.added.is_empty() && self.removed.is_empty() {
                    return write!(
                        f,
                        "nothing: the {list} of campaign {campaign} already has exactly these {now}"
                    );
                }
                write!(f, "{list} of campaign {campaign}: {now} now")?;
                for (verb, ids) in [("add", &self.added), ("remove", &self.removed)] {
                    if !ids.is_empty() {
                        write!(f, "\n{verb} {}", joined(ids))?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// `3 placements: 1, 2, 3`.
fn joined(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(ToString::to_string).collect();
    format!("{}: {}", count(ids.len()), list.join(", "))
}

/// `1 placement`, `3 placements`.
fn count(n: usize) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} placement{plural}")
}

/// What a change (a [`ListPlan`] applied, or a `sync`) did, and how many requests it took.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct SyncReport {
    /// Placements added to the list.
    pub added: Vec<i64>,
    /// Placements removed from it.
    pub removed: Vec<i64>,
    /// Requests sent, the first read included.
    pub calls: usize,
    /// The list as it is afterwards (the last answer, or the read when nothing was sent).
    pub list: Vec<i64>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(list: PlacementList, intent: Intent, current: &[i64], asked: &[i64]) -> ListPlan {
        ListPlan::worked_out((list, 9, intent), current.to_vec(), asked.to_vec(), 2)
    }

    #[test]
    fn a_whitelist_sync_adds_then_removes_in_batches_and_prints_what_it_sends() {
        let plan = plan(
            PlacementList::Whitelist,
            Intent::Sync,
            &[1, 2, 3],
            &[7, 3, 4, 5, 6],
        );
        assert_eq!(
            (plan.added(), plan.removed()),
            (&[4, 5, 6, 7][..], &[1, 2][..])
        );
        assert_eq!(
            plan.requests(),
            [
                ListRequest::Add(vec![4, 5]),
                ListRequest::Add(vec![6, 7]),
                ListRequest::Remove(vec![1, 2]),
            ]
        );
        assert_eq!(
            plan.endpoints().collect::<Vec<_>>(),
            [
                Endpoint::AddToWhitelist,
                Endpoint::AddToWhitelist,
                Endpoint::DeleteFromWhitelist
            ]
        );
        assert_eq!(
            plan.to_string(),
            "whitelist of campaign 9: 3 placements now\n\
             add 4 placements: 4, 5, 6, 7\n\
             remove 2 placements: 1, 2"
        );
    }

    #[test]
    fn a_sync_to_nothing_clears_the_whitelist_and_replaces_the_blacklist() {
        let whitelist = plan(PlacementList::Whitelist, Intent::Sync, &[1, 2], &[]);
        assert_eq!(whitelist.requests(), [ListRequest::Clear]);
        assert_eq!(whitelist.removed(), [1, 2]);
        let blacklist = plan(PlacementList::Blacklist, Intent::Sync, &[1, 2, 3], &[3]);
        assert_eq!(blacklist.requests(), [ListRequest::Replace(vec![3])]);
        assert_eq!(
            blacklist.endpoints().collect::<Vec<_>>(),
            [Endpoint::ReplaceBlacklist]
        );
    }

    #[test]
    fn a_sync_with_nothing_to_change_sends_nothing_and_a_replace_still_sends_one() {
        let sync = plan(PlacementList::Blacklist, Intent::Sync, &[2, 1], &[1, 2]);
        assert!(sync.requests().is_empty());
        assert_eq!(
            sync.to_string(),
            "nothing: the blacklist of campaign 9 already has exactly these 2 placements"
        );
        let replace = plan(PlacementList::Blacklist, Intent::Replace, &[2, 1], &[1, 2]);
        assert_eq!(replace.requests(), [ListRequest::Replace(vec![1, 2])]);
    }

    #[test]
    fn an_add_names_placements_as_given_and_sends_each_once() {
        let plan = plan(PlacementList::Blacklist, Intent::Add, &[1], &[5, 1, 5, 3]);
        assert_eq!((plan.added(), plan.unchanged()), (&[5, 3][..], &[1][..]));
        assert_eq!(
            plan.requests(),
            [ListRequest::Add(vec![1, 3]), ListRequest::Add(vec![5])]
        );
        assert_eq!(
            plan.to_string(),
            "blacklist of campaign 9: add 2 placements: 5, 3\n\
             unchanged, already listed: 1 placement: 1"
        );
    }

    #[tokio::test]
    async fn a_failed_request_of_several_says_what_applied() {
        let requests = [
            ListRequest::Add(vec![4, 5]),
            ListRequest::Remove(vec![1]),
            ListRequest::Remove(vec![2]),
        ];
        let outcome = in_order(
            &requests,
            |request| request.placements().to_vec(),
            |request| async move {
                match request {
                    ListRequest::Add(ids) => Ok(ids),
                    _ => Err(Error::invalid("placement_ids", "refused")),
                }
            },
        )
        .await;
        match outcome {
            Err(Error::PartiallyApplied {
                applied,
                unsure,
                not_sent,
                ..
            }) => assert_eq!((applied, unsure, not_sent), (vec![4, 5], vec![1], vec![2])),
            other => panic!("expected a partial failure, got {other:?}"),
        }
        let alone = in_order(
            &requests[1..2],
            |request| request.placements().to_vec(),
            |_| async { Err::<(), _>(Error::invalid("placement_ids", "refused")) },
        )
        .await;
        assert!(
            matches!(alone, Err(Error::InvalidInput { .. })),
            "one request: its own error"
        );
    }
}
