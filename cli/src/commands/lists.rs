//! Blacklists and whitelists of placements: one set of commands for both lists. What a change
//! does, how it reads in a dry run and which requests make it is the client crate's
//! `ListPlan`; this module only reads arguments, asks, and prints.

use adsterra::{Client, Error, ListChange, ListPlan, PlacementList};

use crate::args::{
    BlacklistCommand, ListClear, Output, PlacementChange, PlacementSet, WhitelistCommand,
};
use crate::context::Context;
use crate::failure::Failure;
use crate::input;
use crate::plan;
use crate::records::{LIST_CHANGES, ListChange as ChangeRecord, PLACEMENTS};

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
    run(context, PlacementList::Blacklist, action).await
}

pub async fn whitelist(context: &Context, command: WhitelistCommand) -> Result<(), Failure> {
    let action = match command {
        WhitelistCommand::List(id) => Action::List(id.campaign),
        WhitelistCommand::Add(change) => Action::Add(change),
        WhitelistCommand::Remove(change) => Action::Remove(change),
        WhitelistCommand::Clear(clear) => Action::Clear(clear),
        WhitelistCommand::Sync(set) => Action::Sync(set),
    };
    run(context, PlacementList::Whitelist, action).await
}

/// The placements of `list`.
async fn read(client: &Client, list: PlacementList, campaign: i64) -> Result<Vec<i64>, Error> {
    match list {
        PlacementList::Blacklist => client.blacklist(campaign).list().await,
        PlacementList::Whitelist => client.whitelist(campaign).list().await,
    }
}

/// What `change` would do to `list`, from one read of it.
async fn plan_of(
    client: &Client,
    list: PlacementList,
    campaign: i64,
    change: ListChange,
) -> Result<ListPlan, Error> {
    match list {
        PlacementList::Blacklist => client.blacklist(campaign).plan(change).await,
        PlacementList::Whitelist => client.whitelist(campaign).plan(change).await,
    }
}

/// Adds or removes `ids` without reading the list first, as the command always has.
async fn add_or_remove(
    client: &Client,
    list: PlacementList,
    campaign: i64,
    adding: bool,
    ids: Vec<i64>,
) -> Result<Vec<i64>, Error> {
    match (list, adding) {
        (PlacementList::Blacklist, true) => client.blacklist(campaign).add(ids).await,
        (PlacementList::Blacklist, false) => client.blacklist(campaign).remove(ids).await,
        (PlacementList::Whitelist, true) => client.whitelist(campaign).add(ids).await,
        (PlacementList::Whitelist, false) => client.whitelist(campaign).remove(ids).await,
    }
}

async fn run(context: &Context, list: PlacementList, action: Action) -> Result<(), Failure> {
    let client = &context.client;
    match action {
        Action::List(campaign) => {
            let placements = context.call(read(client, list, campaign)).await?;
            context.printer.list(PLACEMENTS, &placements)
        }
        Action::Add(change) => add_or_remove_command(context, list, true, &change).await,
        Action::Remove(change) => add_or_remove_command(context, list, false, &change).await,
        Action::Replace(set) => {
            let change = &set.change;
            let ids = input::placements(context, change)?;
            if change.dry_run.dry_run {
                let plan = plan_of(client, list, change.campaign, ListChange::Replace(ids));
                return dry_run(context, &plan.await?);
            }
            if ids.is_empty() {
                context.confirm(
                    &format!(
                        "replace the {list} of campaign {} with nothing, removing every placement",
                        change.campaign
                    ),
                    set.confirm.yes,
                )?;
            }
            // Only the blacklist has a replace operation, so only its command builds this action.
            let placements = context
                .call(client.blacklist(change.campaign).replace(ids))
                .await?;
            context.printer.list(PLACEMENTS, &placements)
        }
        Action::Clear(clear) => {
            let plan = plan_of(client, list, clear.campaign, ListChange::Clear).await?;
            if clear.dry_run.dry_run {
                return dry_run(context, &plan);
            }
            context.confirm(&plan.to_string(), clear.confirm.yes)?;
            let report = context.call(plan.apply(client)).await?;
            context.printer.list(PLACEMENTS, &report.list)
        }
        Action::Sync(set) => sync(context, list, &set).await,
    }
}

/// Adds or removes placements; a dry run reads the list to say which would change.
async fn add_or_remove_command(
    context: &Context,
    list: PlacementList,
    adding: bool,
    change: &PlacementChange,
) -> Result<(), Failure> {
    let ids = input::placements(context, change)?;
    if change.dry_run.dry_run {
        let asked = if adding {
            ListChange::Add(ids)
        } else {
            ListChange::Remove(ids)
        };
        let plan = plan_of(&context.client, list, change.campaign, asked).await?;
        return dry_run(context, &plan);
    }
    let answer = add_or_remove(&context.client, list, change.campaign, adding, ids);
    let placements = context.call(answer).await?;
    context.printer.list(PLACEMENTS, &placements)
}

/// Shows the difference, asks when it is risky, then applies it with the fewest requests.
async fn sync(context: &Context, list: PlacementList, set: &PlacementSet) -> Result<(), Failure> {
    let change = &set.change;
    if context.printer.output() == Output::Raw {
        return Err(Failure::usage(
            "--output raw prints one answer of Adsterra, and sync prints the changes it made; use --output json",
        ));
    }
    let desired = input::placements(context, change)?;
    let empties = desired.is_empty();
    let plan = plan_of(
        &context.client,
        list,
        change.campaign,
        ListChange::Sync(desired),
    )
    .await?;
    if change.dry_run.dry_run {
        return dry_run(context, &plan);
    }
    eprintln!("{plan}");
    if plan.requests().is_empty() {
        return context.printer.list(LIST_CHANGES, &[]);
    }
    // A sync to an empty list is a clear; on a terminal, any sync is shown and confirmed.
    if !set.confirm.yes && (empties || context.interactive()) {
        context.confirm(
            &format!(
                "apply these changes to the {list} of campaign {}",
                change.campaign
            ),
            false,
        )?;
    }
    let report = plan.apply(&context.client).await?;
    eprintln!(
        "{list} of campaign {}: {} added, {} removed, in {} requests",
        change.campaign,
        report.added.len(),
        report.removed.len(),
        report.calls
    );
    let add = report.added.iter().map(|&placement| ChangeRecord {
        change: "add",
        placement,
    });
    let remove = report.removed.iter().map(|&placement| ChangeRecord {
        change: "remove",
        placement,
    });
    let changes: Vec<ChangeRecord> = add.chain(remove).collect();
    context.printer.list(LIST_CHANGES, &changes)
}

/// Prints a plan; list operations take the campaign in their body or path.
fn dry_run(context: &Context, plan: &ListPlan) -> Result<(), Failure> {
    let effects: Vec<String> = plan.to_string().lines().map(str::to_owned).collect();
    let path: &[(&str, i64)] = &[("campaign_id", plan.campaign())];
    let requests: Vec<plan::Request> = plan.endpoints().map(|op| (op, path)).collect();
    plan::print(context, &effects, &requests)
}
