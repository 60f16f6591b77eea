//! `verify-live --writes --campaign ID`: every write operation tried on one campaign, in pairs
//! that undo each other, each step read back; then the campaign is compared with how it was.
//!
//! The pairs: a placement that is not on the blacklist added then removed; the same for the
//! whitelist; a custom bid set then removed for a placement that had none; the blacklist replaced
//! with itself; a campaign that was running paused then resumed (one that was not running is
//! left alone). A step that fails stops its pair; whatever happened, the campaign is then put
//! back as it was read before the first write (lists synced to their old contents, bids set back
//! or removed, the state resumed or paused), read again, and what still differs is reported
//! exactly. Nothing is written without `--writes`, a campaign and a confirmation (`--yes`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use adsterra::operation::OPERATIONS;
use adsterra::types::{Campaign, CampaignState, CustomBid, StatsGroupBy};
use adsterra::{CampaignExt, Client, Error};
use chrono::{Days, Utc};

/// What the probes touch of a campaign, as read.
#[derive(Debug, Clone, PartialEq)]
struct State {
    state: Option<CampaignState>,
    blacklist: BTreeSet<i64>,
    whitelist: BTreeSet<i64>,
    /// Price by placement.
    bids: BTreeMap<i64, f64>,
}

async fn read(client: &Client, campaign: i64) -> Result<State, Error> {
    let state = client.campaign(campaign).get().await?.state();
    let blacklist = client
        .blacklist(campaign)
        .list()
        .await?
        .into_iter()
        .collect();
    let whitelist = client
        .whitelist(campaign)
        .list()
        .await?
        .into_iter()
        .collect();
    let bids = client
        .custom_bids(campaign)
        .list()
        .await?
        .into_iter()
        .map(|bid| (bid.placement_id, bid.price))
        .collect();
    Ok(State {
        state,
        blacklist,
        whitelist,
        bids,
    })
}

/// What a run of the write probes did and left.
#[derive(Debug, Default)]
pub struct Outcome {
    /// One line per step: what was written and what reading back showed.
    pub lines: Vec<String>,
    /// Steps that failed or read back wrong.
    pub failed: usize,
    /// What still differs from before, after restoring (empty: as it was).
    pub left_changed: Vec<String>,
}

impl Outcome {
    fn step(&mut self, what: &str, result: Result<bool, Error>) -> bool {
        let line = match &result {
            Ok(true) => format!("  {what}: ok, read back"),
            Ok(false) => format!("  {what}: done, but reading back shows otherwise"),
            Err(error) => format!("  {what}: failed: {error}"),
        };
        self.lines.push(line);
        let ok = matches!(result, Ok(true));
        self.failed += usize::from(!ok);
        ok
    }

    /// The lines to print.
    pub fn text(&self, campaign: i64) -> String {
        let mut text = format!("write probes on campaign {campaign}:\n");
        for line in &self.lines {
            let _ = writeln!(text, "{line}");
        }
        match self.left_changed.as_slice() {
            [] => text.push_str("  the campaign is as it was before\n"),
            changed => {
                let _ = writeln!(text, "  left changed: {}", changed.join("; "));
            }
        }
        text
    }
}

/// Runs every pair on `campaign`, restores it, and says what is left changed.
pub async fn run(client: &Client, campaign: i64) -> Result<Outcome, Error> {
    let before = read(client, campaign).await?;
    let candidates = placements(client, campaign).await;
    let free = |taken: &dyn Fn(&i64) -> bool| candidates.iter().copied().find(|p| !taken(p));
    let mut outcome = Outcome::default();
    let blacklist = client.blacklist(campaign);
    if let Some(p) = free(&|p| before.blacklist.contains(p)) {
        let names = [
            format!("blacklist add {p}"),
            format!("blacklist remove {p}"),
        ];
        let (add, remove) = (
            async || blacklist.add([p]).await,
            async || blacklist.remove([p]).await,
        );
        let read = async || blacklist.list().await;
        pair(&mut outcome, names, add, remove, read, |l: &Vec<i64>| {
            l.contains(&p)
        })
        .await;
    }
    let whitelist = client.whitelist(campaign);
    if let Some(p) = free(&|p| before.whitelist.contains(p)) {
        let names = [
            format!("whitelist add {p}"),
            format!("whitelist remove {p}"),
        ];
        let (add, remove) = (
            async || whitelist.add([p]).await,
            async || whitelist.remove([p]).await,
        );
        let read = async || whitelist.list().await;
        pair(&mut outcome, names, add, remove, read, |l: &Vec<i64>| {
            l.contains(&p)
        })
        .await;
    }
    let bids = client.custom_bids(campaign);
    if let Some(p) = free(&|p| before.bids.contains_key(p)) {
        let names = [
            format!("custom bid set {p} at {PROBE_PRICE}"),
            format!("custom bid remove {p}"),
        ];
        let (set, remove) = (
            async || bids.set([(p, PROBE_PRICE)]).await,
            async || bids.remove([p]).await,
        );
        let has = |l: &Vec<CustomBid>| l.iter().any(|b| b.placement_id == p);
        pair(
            &mut outcome,
            names,
            set,
            remove,
            async || bids.list().await,
            has,
        )
        .await;
    }
    if !before.blacklist.is_empty() {
        let replaced = blacklist
            .replace(before.blacklist.iter().copied())
            .await
            .map(drop);
        let same = |l: &Vec<i64>| l.iter().copied().collect::<BTreeSet<_>>() == before.blacklist;
        let step = read_back(replaced, blacklist.list(), same).await;
        outcome.step("blacklist replaced with itself", step);
    }
    let this = client.campaign(campaign);
    if before.state == Some(CampaignState::Active) {
        let names = ["campaign paused".to_owned(), "campaign resumed".to_owned()];
        let (pause, resume) = (async || this.pause().await, async || this.resume().await);
        let paused = |c: &Campaign| c.state() != Some(CampaignState::Active);
        pair(
            &mut outcome,
            names,
            pause,
            resume,
            async || this.get().await,
            paused,
        )
        .await;
    } else {
        outcome.lines.push(format!(
            "  pause and resume: skipped, the campaign is not running ({:?})",
            before.state
        ));
    }
    restore(client, campaign, &before, &mut outcome).await;
    Ok(outcome)
}

/// One pair: `apply`, read back to hold `applied`; then, only when it did, `undo`, read back
/// to hold it no more.
async fn pair<T, A, U>(
    outcome: &mut Outcome,
    [first, second]: [String; 2],
    apply: impl AsyncFnOnce() -> Result<A, Error>,
    undo: impl AsyncFnOnce() -> Result<U, Error>,
    read: impl AsyncFn() -> Result<T, Error>,
    applied: impl Fn(&T) -> bool,
) {
    let done = read_back(apply().await.map(drop), read(), &applied).await;
    if outcome.step(&first, done) {
        let undone = read_back(undo().await.map(drop), read(), |t| !applied(t)).await;
        outcome.step(&second, undone);
    }
}

/// The price of the probe's custom bid, in USD: the smallest the spec's examples use.
const PROBE_PRICE: f64 = 0.01;

/// Whether a write went through and what reading back shows satisfies `check`.
async fn read_back<T>(
    written: Result<(), Error>,
    reading: impl Future<Output = Result<T, Error>>,
    check: impl FnOnce(&T) -> bool,
) -> Result<bool, Error> {
    written?;
    Ok(check(&reading.await?))
}

/// Placements the probes may use: those the campaign's stats of the last 30 days name, and the
/// spec's example of a placement id, in that order.
async fn placements(client: &Client, campaign: i64) -> Vec<i64> {
    let today = Utc::now().date_naive();
    let from = today - Days::new(30);
    let rows = client
        .stats()
        .between(from, today)
        .campaign(campaign)
        .group_by([StatsGroupBy::Placement])
        .send()
        .await
        .unwrap_or_default();
    let mut found: Vec<i64> = rows.iter().filter_map(|row| row.placement).collect();
    let example = OPERATIONS
        .iter()
        .flat_map(|o| o.query_parameters)
        .find(|p| p.name == "placement")
        .and_then(|p| p.example?.parse::<i64>().ok());
    found.extend(example);
    let mut seen = BTreeSet::new();
    found.retain(|p| seen.insert(*p));
    found
}

/// How many times the campaign is read and put back before what differs is reported: an API
/// that fails now and then gets as many chances as the client's retries would give it.
const RESTORE_ROUNDS: usize = 5;

/// Puts the campaign back as `before` said, reading it again after each round, then reports
/// what still differs (or that it could not be read).
async fn restore(client: &Client, campaign: i64, before: &State, outcome: &mut Outcome) {
    let mut last = None;
    for _ in 0..RESTORE_ROUNDS {
        match read(client, campaign).await {
            Ok(now) if now == *before => {
                outcome.left_changed.clear();
                return;
            }
            Ok(now) => {
                put_back(client, campaign, before, &now).await;
                last = Some(Ok(now));
            }
            Err(error) => last = Some(Err(error)),
        }
    }
    outcome.left_changed = match last {
        Some(Ok(now)) => match read(client, campaign).await {
            Ok(after) => differences(before, &after),
            Err(_) => differences(before, &now),
        },
        Some(Err(error)) => vec![format!(
            "unknown: the campaign could not be read again ({error})"
        )],
        None => Vec::new(),
    };
}

/// One round of putting back: lists synced to their old contents, bids removed or set back,
/// the state resumed or paused. Errors are left to the next read to show.
async fn put_back(client: &Client, campaign: i64, before: &State, now: &State) {
    if now.blacklist != before.blacklist {
        let _ = client
            .blacklist(campaign)
            .sync(before.blacklist.iter().copied())
            .await;
    }
    if now.whitelist != before.whitelist {
        let _ = client
            .whitelist(campaign)
            .sync(before.whitelist.iter().copied())
            .await;
    }
    let bids = client.custom_bids(campaign);
    let extra: Vec<i64> = now
        .bids
        .keys()
        .filter(|p| !before.bids.contains_key(p))
        .copied()
        .collect();
    if !extra.is_empty() {
        let _ = bids.remove(extra).await;
    }
    let changed: Vec<(i64, f64)> = before
        .bids
        .iter()
        .filter(|(p, price)| now.bids.get(p) != Some(price))
        .map(|(p, price)| (*p, *price))
        .collect();
    if !changed.is_empty() {
        let _ = bids.set(changed).await;
    }
    let this = client.campaign(campaign);
    let active = Some(CampaignState::Active);
    if before.state == active && now.state != active {
        let _ = this.resume().await;
    } else if before.state != active && now.state == active {
        let _ = this.pause().await;
    }
}

/// What differs between two states, in words.
fn differences(before: &State, after: &State) -> Vec<String> {
    let mut found = Vec::new();
    if before.state != after.state {
        found.push(format!("state {:?}, was {:?}", after.state, before.state));
    }
    for (name, was, is) in [
        ("blacklist", &before.blacklist, &after.blacklist),
        ("whitelist", &before.whitelist, &after.whitelist),
    ] {
        for p in is.difference(was) {
            found.push(format!("{name} holds {p}, which it did not"));
        }
        for p in was.difference(is) {
            found.push(format!("{name} lost {p}"));
        }
    }
    for (p, price) in &after.bids {
        match before.bids.get(p) {
            None => found.push(format!("custom bid on {p} at {price}, which had none")),
            Some(was) if was != price => {
                found.push(format!("custom bid on {p} at {price}, was {was}"))
            }
            Some(_) => {}
        }
    }
    for (p, was) in &before.bids {
        if !after.bids.contains_key(p) {
            found.push(format!("custom bid on {p} at {was} is gone"));
        }
    }
    found
}
