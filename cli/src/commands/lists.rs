//! Blacklists and whitelists of placements: one set of commands for both lists.

use std::collections::BTreeSet;

use adsterra::{Client, Endpoint, Error, SyncReport};

use crate::args::{
    BlacklistCommand, ListClear, Output, PlacementChange, PlacementSet, WhitelistCommand,
};
use crate::context::Context;
use crate::failure::Failure;
use crate::input;
use crate::plan;
use crate::records::{LIST_CHANGES, ListChange, PLACEMENTS};

/// Which list a command works on.
#[derive(Debug, Clone, Copy)]
enum Which {
    Blacklist,
    Whitelist,
}

/// What a command does to the list.
enum Action {
    List(i64),
    Add(PlacementChange),
    Remove(PlacementChange),
    Replace(PlacementSet),
    Clear(ListClear),
    Sync(PlacementSet),
}

pub async fn blacklist(context: &Context, command: BlacklistCommand) -> Result<(), Failure> {
    let action = match command {
        BlacklistCommand::List(id) => Action::List(id.campaign),
        BlacklistCommand::Add(change) => Action::Add(change),
        BlacklistCommand::Remove(change) => Action::Remove(change),
        BlacklistCommand::Replace(set) => Action::Replace(set),
        BlacklistCommand::Clear(clear) => Action::Clear(clear),
        BlacklistCommand::Sync(set) => Action::Sync(set),
    };
    run(context, Which::Blacklist, action).await
}

pub async fn whitelist(context: &Context, command: WhitelistCommand) -> Result<(), Failure> {
    let action = match command {
        WhitelistCommand::List(id) => Action::List(id.campaign),
        WhitelistCommand::Add(change) => Action::Add(change),
        WhitelistCommand::Remove(change) => Action::Remove(change),
        WhitelistCommand::Clear(clear) => Action::Clear(clear),
        WhitelistCommand::Sync(set) => Action::Sync(set),
    };
    run(context, Which::Whitelist, action).await
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Self::Blacklist => "blacklist",
            Self::Whitelist => "whitelist",
        }
    }

    async fn list(self, client: &Client, campaign: i64) -> Result<Vec<i64>, Error> {
        match self {
            Self::Blacklist => client.blacklist(campaign).list().await,
            Self::Whitelist => client.whitelist(campaign).list().await,
        }
    }

    async fn add(self, client: &Client, campaign: i64, ids: Vec<i64>) -> Result<Vec<i64>, Error> {
        match self {
            Self::Blacklist => client.blacklist(campaign).add(ids).await,
            Self::Whitelist => client.whitelist(campaign).add(ids).await,
        }
    }

    async fn remove(
        self,
        client: &Client,
        campaign: i64,
        ids: Vec<i64>,
    ) -> Result<Vec<i64>, Error> {
        match self {
            Self::Blacklist => client.blacklist(campaign).remove(ids).await,
            Self::Whitelist => client.whitelist(campaign).remove(ids).await,
        }
    }

    async fn clear(self, client: &Client, campaign: i64) -> Result<Vec<i64>, Error> {
        match self {
            Self::Blacklist => client.blacklist(campaign).clear().await,
            Self::Whitelist => client.whitelist(campaign).clear().await,
        }
    }

    async fn sync(
        self,
        client: &Client,
        campaign: i64,
        ids: Vec<i64>,
    ) -> Result<SyncReport, Error> {
        match self {
            Self::Blacklist => client.blacklist(campaign).sync(ids).await,
            Self::Whitelist => client.whitelist(campaign).sync(ids).await,
        }
    }

    /// The operation a change sends, for dry runs (a sync's depend on its difference).
    fn operation(self, action: &Action) -> Endpoint {
        match (self, action) {
            (_, Action::Clear(_)) => self.clear_operation(),
            (Self::Blacklist, Action::Add(_)) => Endpoint::AddToBlacklist,
            (Self::Blacklist, Action::Remove(_)) => Endpoint::DeleteFromBlacklist,
            (Self::Blacklist, _) => Endpoint::ReplaceBlacklist,
            (Self::Whitelist, Action::Remove(_)) => Endpoint::DeleteFromWhitelist,
            (Self::Whitelist, _) => Endpoint::AddToWhitelist,
        }
    }

    fn clear_operation(self) -> Endpoint {
        match self {
            Self::Blacklist => Endpoint::CleanBlacklist,
            Self::Whitelist => Endpoint::CleanCampaignWhitelist,
        }
    }

    /// The operations `sync` sends for `changes`, as the client crate chooses them.
    fn sync_operations(self, changes: &[ListChange], clears: bool) -> Vec<Endpoint> {
        match self {
            _ if changes.is_empty() => vec![],
            Self::Blacklist => vec![Endpoint::ReplaceBlacklist],
            Self::Whitelist if clears => vec![self.clear_operation()],
            Self::Whitelist => [
                ("add", Endpoint::AddToWhitelist),
                ("remove", Endpoint::DeleteFromWhitelist),
            ]
            .into_iter()
            .filter(|(kind, _)| changes.iter().any(|c| c.change == *kind))
            .map(|(_, operation)| operation)
            .collect(),
        }
    }
}

async fn run(context: &Context, which: Which, action: Action) -> Result<(), Failure> {
    let client = &context.client;
    let name = which.name();
    match &action {
        Action::List(campaign) => {
            let list = context.call(which.list(client, *campaign)).await?;
            context.printer.list(PLACEMENTS, &list)
        }
        Action::Add(change) | Action::Remove(change) => {
            let ids = input::placements(context, change)?;
            let adding = matches!(action, Action::Add(_));
            if change.dry_run.dry_run {
                let current: BTreeSet<i64> = which
                    .list(client, change.campaign)
                    .await?
                    .into_iter()
                    .collect();
                let (changed, unchanged): (Vec<i64>, Vec<i64>) =
                    ids.iter().partition(|id| current.contains(id) != adding);
                let verb = if adding { "add" } else { "remove" };
                let mut effects = vec![if changed.is_empty() {
                    format!("nothing in the {name} of campaign {}", change.campaign)
                } else {
                    format!(
                        "{name} of campaign {}: {verb} {}",
                        change.campaign,
                        joined(&changed)
                    )
                }];
                if !unchanged.is_empty() {
                    let state = if adding {
                        "already listed"
                    } else {
                        "not listed"
                    };
                    effects.push(format!("unchanged, {state}: {}", joined(&unchanged)));
                }
                return dry_run(
                    context,
                    change.campaign,
                    &effects,
                    &[which.operation(&action)],
                );
            }
            let list = if adding {
                context
                    .call(which.add(client, change.campaign, ids))
                    .await?
            } else {
                context
                    .call(which.remove(client, change.campaign, ids))
                    .await?
            };
            context.printer.list(PLACEMENTS, &list)
        }
        Action::Replace(set) => {
            let change = &set.change;
            let ids = input::placements(context, change)?;
            if change.dry_run.dry_run {
                let current = which.list(client, change.campaign).await?;
                let planned = difference(&current, &ids);
                let effects = differences(name, change.campaign, current.len(), &planned);
                return dry_run(
                    context,
                    change.campaign,
                    &effects,
                    &[which.operation(&action)],
                );
            }
            if ids.is_empty() {
                context.confirm(
                    &format!(
                        "replace the {name} of campaign {} with nothing, removing every placement",
                        change.campaign
                    ),
                    set.confirm.yes,
                )?;
            }
            // Only the blacklist has a replace operation, so only its command builds this action.
            let list = context
                .call(client.blacklist(change.campaign).replace(ids))
                .await?;
            context.printer.list(PLACEMENTS, &list)
        }
        Action::Clear(clear) => {
            let current = which.list(client, clear.campaign).await?;
            let question = format!(
                "remove every placement ({}) from the {name} of campaign {}",
                current.len(),
                clear.campaign
            );
            if clear.dry_run.dry_run {
                return dry_run(
                    context,
                    clear.campaign,
                    &[question],
                    &[which.operation(&action)],
                );
            }
            context.confirm(&question, clear.confirm.yes)?;
            let list = context.call(which.clear(client, clear.campaign)).await?;
            context.printer.list(PLACEMENTS, &list)
        }
        Action::Sync(set) => sync(context, which, set).await,
    }
}

/// Shows the difference, asks when it is risky, then applies it with the fewest requests.
async fn sync(context: &Context, which: Which, set: &PlacementSet) -> Result<(), Failure> {
    let change = &set.change;
    let name = which.name();
    if context.printer.output() == Output::Raw {
        return Err(Failure::usage(
            "--output raw prints one answer of Adsterra, and sync prints the changes it made; use --output json",
        ));
    }
    let desired = input::placements(context, change)?;
    let current = which.list(&context.client, change.campaign).await?;
    let planned = difference(&current, &desired);
    let effects = differences(name, change.campaign, current.len(), &planned);
    if change.dry_run.dry_run {
        let clears = desired.is_empty() && !current.is_empty();
        let operations = which.sync_operations(&planned, clears);
        return dry_run(context, change.campaign, &effects, &operations);
    }
    for effect in &effects {
        eprintln!("{effect}");
    }
    if planned.is_empty() {
        return context.printer.list(LIST_CHANGES, &[]);
    }
    // A sync to an empty list is a clear; on a terminal, any sync is shown and confirmed.
    if !set.confirm.yes && (desired.is_empty() || context.interactive()) {
        context.confirm(
            &format!(
                "apply these changes to the {name} of campaign {}",
                change.campaign
            ),
            false,
        )?;
    }
    let report = which
        .sync(&context.client, change.campaign, desired)
        .await?;
    eprintln!(
        "{name} of campaign {}: {} added, {} removed, in {} requests",
        change.campaign,
        report.added.len(),
        report.removed.len(),
        report.calls
    );
    let changes = changes(&report.added, &report.removed);
    context.printer.list(LIST_CHANGES, &changes)
}

/// Prints the plan of a list change; list operations take the campaign in their body or path.
fn dry_run(
    context: &Context,
    campaign: i64,
    effects: &[String],
    operations: &[Endpoint],
) -> Result<(), Failure> {
    let path: &[(&str, i64)] = &[("campaign_id", campaign)];
    let requests: Vec<plan::Request> = operations.iter().map(|&op| (op, path)).collect();
    plan::print(context, effects, &requests)
}

/// The placements to add and to remove to turn `current` into `desired`.
fn difference(current: &[i64], desired: &[i64]) -> Vec<ListChange> {
    let current: BTreeSet<i64> = current.iter().copied().collect();
    let desired: BTreeSet<i64> = desired.iter().copied().collect();
    let added: Vec<i64> = desired.difference(&current).copied().collect();
    let removed: Vec<i64> = current.difference(&desired).copied().collect();
    changes(&added, &removed)
}

fn changes(added: &[i64], removed: &[i64]) -> Vec<ListChange> {
    let add = added.iter().map(|&placement| ListChange {
        change: "add",
        placement,
    });
    let remove = removed.iter().map(|&placement| ListChange {
        change: "remove",
        placement,
    });
    add.chain(remove).collect()
}

/// `changes`, the difference to a list of `current` placements, in lines a person reads.
fn differences(name: &str, campaign: i64, current: usize, changes: &[ListChange]) -> Vec<String> {
    if changes.is_empty() {
        return vec![format!(
            "nothing: the {name} of campaign {campaign} already has exactly these {}",
            count(current)
        )];
    }
    let pick = |kind: &str| -> Vec<i64> {
        changes
            .iter()
            .filter(|c| c.change == kind)
            .map(|c| c.placement)
            .collect()
    };
    let mut lines = vec![format!(
        "{name} of campaign {campaign}: {} now",
        count(current)
    )];
    for (kind, ids) in [("add", pick("add")), ("remove", pick("remove"))] {
        if !ids.is_empty() {
            lines.push(format!("{kind} {}", joined(&ids)));
        }
    }
    lines
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
