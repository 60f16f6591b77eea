//! One module per resource; each command reads its arguments, calls the client and prints.

mod account;
mod api;
mod bids;
mod lists;
pub mod spec;
mod stats;
mod sync;
mod verify_live;

use crate::args::{CampaignsArgs, CampaignsCommand, Command};
use crate::context::Context;
use crate::failure::Failure;

pub async fn run(context: &Context, command: Command) -> Result<(), Failure> {
    match command {
        Command::Balance => account::balance(context).await,
        Command::Campaigns(CampaignsArgs {
            command: None | Some(CampaignsCommand::List),
        }) => account::campaigns(context).await,
        Command::Campaign(command) => account::campaign(context, command).await,
        Command::Banner(command) => account::banner(context, command).await,
        Command::Blacklist(command) => lists::blacklist(context, command).await,
        Command::Whitelist(command) => lists::whitelist(context, command).await,
        Command::Bids(command) => bids::run(context, command).await,
        Command::Stats(args) => stats::run(context, args).await,
        Command::Sync(args) => sync::run(context, args).await,
        Command::Api(args) => api::run(context, args).await,
        Command::VerifyLive(args) => verify_live::run(context, args).await,
        // Run by main before any client is built: they need no token.
        Command::Completions { .. } | Command::Spec(_) => Ok(()),
    }
}
