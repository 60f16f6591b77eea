//! The list-change plan: what a change to a campaign's blacklist or whitelist does, worked out
//! from the list as it is, as one value that both prints (the command line's dry run) and runs
//! (`Blacklist::sync`, `Whitelist::sync`), so what is shown is what is sent.
//!
//! It owns the arithmetic of a change (added, removed, unchanged; batches and which endpoint
//! each request goes to) and nothing else: the calls of the lists are in `endpoints.rs`.

use std::collections::BTreeSet;
use std::fmt;

use crate::endpoints::in_order;
use crate::input::{id, placement_ids};
#[cfg(doc)]
use crate::{Blacklist, Whitelist};
use crate::{Client, Endpoint, Error};

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
    pub(crate) async fn new(
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
