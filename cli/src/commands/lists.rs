//! Blacklists and whitelists of placements: one set of commands for both lists.

use std::collections::BTreeSet;

use adsterra::{Client, Error, SyncReport};

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

    /// The operations a change sends, for dry runs.
    fn operations(self, action: &Action) -> Vec<&'static str> {
        match (self, action) {
            (_, Action::List(_)) => vec![],
            (Self::Blacklist, Action::Add(_)) => vec!["add_to_blacklist"],
            (Self::Blacklist, Action::Remove(_)) => vec!["delete_from_blacklist"],
            (Self::Blacklist, Action::Replace(_) | Action::Sync(_)) => vec!["replace_blacklist"],
            (Self::Blacklist, Action::Clear(_)) => vec!["clean_blacklist"],
            (Self::Whitelist, Action::Add(_)) => vec!["add_to_whitelist"],
            (Self::Whitelist, Action::Remove(_)) => vec!["delete_from_whitelist"],
            (Self::Whitelist, Action::Replace(_)) => vec![],
            (Self::Whitelist, Action::Sync(_)) => {
                vec!["add_to_whitelist", "delete_from_whitelist"]
            }
            (Self::Whitelist, Action::Clear(_)) => vec!["clean_campaign_whitelist"],
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
                let mut effects = vec![format!(
                    "{name} of campaign {}: {verb} {}",
                    change.campaign,
                    joined(&changed)
                )];
                if !unchanged.is_empty() {
                    let state = if adding {
                        "already listed"
                    } else {
                        "not listed"
                    };
                    effects.push(format!("unchanged, {state}: {}", joined(&unchanged)));
                }
                return dry_run(context, which, &action, change.campaign, &effects);
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
                let effects = differences(name, change.campaign, &current, &ids);
                return dry_run(context, which, &action, change.campaign, &effects);
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
                return dry_run(context, which, &action, clear.campaign, &[question]);
            }
            context.confirm(&question, clear.confirm.yes)?;
            let list = context.call(which.clear(client, clear.campaign)).await?;
            context.printer.list(PLACEMENTS, &list)
        }
        Action::Sync(set) => sync(context, which, &action, set).await,
    }
}

/// Shows the difference, asks when it is risky, then applies it with the fewest requests.
async fn sync(
    context: &Context,
    which: Which,
    action: &Action,
    set: &PlacementSet,
) -> Result<(), Failure> {
    let change = &set.change;
    let name = which.name();
    if context.printer.output() == Output::Raw {
        return Err(Failure::usage(
            "--output raw prints one answer of Adsterra, and sync prints the changes it made; use --output json",
        ));
    }
    let desired = input::placements(context, change)?;
    let current = which.list(&context.client, change.campaign).await?;
    let effects = differences(name, change.campaign, &current, &desired);
    if change.dry_run.dry_run {
        return dry_run(context, which, action, change.campaign, &effects);
    }
    for effect in &effects {
        eprintln!("{effect}");
    }
    let report_in_advance = difference(&current, &desired);
    if report_in_advance.is_empty() {
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

fn dry_run(
    context: &Context,
    which: Which,
    action: &Action,
    campaign: i64,
    effects: &[String],
) -> Result<(), Failure> {
    let path: &[(&str, i64)] = &[("campaign_id", campaign)];
    let requests: Vec<plan::Request> = which
        .operations(action)
        .into_iter()
        .map(|op| (op, path))
        .collect();
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

/// The difference, in lines a person reads.
fn differences(name: &str, campaign: i64, current: &[i64], desired: &[i64]) -> Vec<String> {
    let changes = difference(current, desired);
    if changes.is_empty() {
        return vec![format!(
            "nothing: the {name} of campaign {campaign} already has exactly these {} placements",
            current.len()
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
        "{name} of campaign {campaign}: {} placements now",
        current.len()
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
    let plural = if ids.len() == 1 { "" } else { "s" };
    format!("{} placement{plural}: {}", ids.len(), list.join(", "))
}
