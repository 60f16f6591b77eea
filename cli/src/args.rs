//! The command line's grammar: every command, flag and help text, and nothing that runs.

use std::path::PathBuf;

use adsterra::types::StatsGroupBy;
use adsterra::{Format, RetryPolicy};
use chrono::NaiveDate;
use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::failure::EXIT_CODES_HELP;

/// Scripts and shell use of the Adsterra Advertiser API.
///
/// The API token comes from ADSTERRA_API_KEY or --token-file, never from an argument (arguments
/// show up in shell history and process lists). --sandbox runs any command against an embedded
/// copy of the API, with no token and no network.
#[derive(Debug, Parser)]
#[command(name = "adsterra", version, after_long_help = EXIT_CODES_HELP)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Read the API token from this file (`-` for stdin) instead of ADSTERRA_API_KEY.
    #[arg(long, global = true, value_name = "PATH")]
    pub token_file: Option<PathBuf>,

    /// The API's base URL, else ADSTERRA_BASE_URL, else
    /// https://api3.adsterratools.com/advertiser.
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,

    /// Run against an embedded sandbox of the API: no token, no network, a seeded account
    /// (ADSTERRA_API_KEY and ADSTERRA_BASE_URL are ignored).
    #[arg(long, global = true, conflicts_with_all = ["token_file", "base_url"])]
    pub sandbox: bool,

    /// How results are printed [default: table on a terminal, json otherwise]. `raw` prints
    /// Adsterra's own answer, in --format.
    #[arg(long, short, global = true, value_enum, value_name = "OUTPUT")]
    pub output: Option<Output>,

    /// The format asked of Adsterra; every format gives the same values.
    #[arg(long, global = true, value_parser = wire_format(), default_value = "json")]
    pub format: Format,

    /// Seconds to wait for one answer before giving up.
    #[arg(long, global = true, value_name = "SECONDS", default_value_t = adsterra::DEFAULT_TIMEOUT.as_secs())]
    pub timeout: u64,

    /// Retries after a connection error, timeout, 429 or 5xx, where the call may safely run
    /// again.
    #[arg(long, global = true, value_name = "N", default_value_t = RetryPolicy::default().max_retries)]
    pub retries: u32,

    /// Log every request (operation, path, status, attempts) to stderr; never the token.
    #[arg(long, short, global = true)]
    pub verbose: bool,
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    /// Aligned columns, for people.
    Table,
    /// One JSON document: an object, or an array of them.
    Json,
    /// One JSON object per line.
    Ndjson,
    /// Comma-separated values with a header row.
    Csv,
    /// Adsterra's answer byte for byte, in --format.
    Raw,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The account's balance, in USD.
    Balance,
    /// The account's campaigns; with no subcommand, lists them.
    Campaigns(CampaignsArgs),
    /// One campaign: read it, pause or resume it, list its banners and landings.
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// One banner: pause or resume it, list its landings.
    #[command(subcommand)]
    Banner(BannerCommand),
    /// A campaign's blacklist: placements it never runs on.
    #[command(subcommand)]
    Blacklist(BlacklistCommand),
    /// A campaign's whitelist: the only placements it runs on.
    #[command(subcommand)]
    Whitelist(WhitelistCommand),
    /// A campaign's custom bids per placement.
    #[command(subcommand)]
    Bids(BidsCommand),
    /// Statistics over any date range (longer than 366 days is split and merged).
    ///
    /// With --output csv or ndjson, rows are written as they arrive, in every --format, so memory
    /// stays flat however long the range, when rows come in date order (grouped by date, not
    /// grouped, or a range of one window; other groupings are summed across windows first). A
    /// progress bar shows on stderr when it is a terminal.
    Stats(StatsArgs),
    /// Keep a database of campaigns and stats up to date: SQLite (a file) or PostgreSQL.
    ///
    /// A first run fetches from --since; later runs fetch the new days and the last
    /// --revise-days again (stats are corrected after the fact), and upsert: running it twice
    /// changes nothing. Each day is one transaction, so a killed run resumes where it stopped.
    /// Stats go to one table per grain (stats_by_date_campaign, ...), whose columns follow the
    /// spec (a new metric is added as a column, and the statement printed); money is exact
    /// under its plain name, so sum(spent) works in SQLite and PostgreSQL. Each run also
    /// stores a snapshot of the campaigns. One run per table at a time (see --wait). One
    /// summary line at the end (-o json for scripts); a progress bar on stderr on a terminal.
    Sync(SyncArgs),
    /// Any operation of the spec by its operationId (`adsterra api --list` lists them), with
    /// its parameters and body checked against the spec before sending.
    ///
    /// --format picks the operation's twin in that format (or name it: get_stats_csv). Answers
    /// print in every --output; a list prints a row per item.
    Api(ApiArgs),
    /// Call every read of the spec in every format and check each answer against the spec,
    /// field by field; nothing is written (but with --writes). Exits 1 when an answer deviates
    /// from the spec.
    ///
    /// Path ids are found from list answers, as the spec's x-adsterra-link says; a read whose
    /// ids cannot be found is reported as skipped, with why.
    ///
    /// With --probe-legacy, a last line says whether the API still accepts the legacy
    /// token-in-path form of old scripts; it never changes the exit code.
    VerifyLive(VerifyLiveArgs),
    /// Work with the spec from recorded answers; needs no token and sends nothing.
    #[command(subcommand)]
    Spec(SpecCommand),
    /// A completion script for your shell, on stdout.
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum SpecCommand {
    /// Write the OpenAPI Overlay (1.1.0) that makes the spec describe every answer recorded in
    /// DIR (by verify-live --record): new fields with the narrowest type of all their values,
    /// required fields that were missing made optional, wrong types widened, closed lists
    /// extended, marks raised to confirmed by what Adsterra's host answered. Exits 1 when a
    /// deviation cannot be expressed as an overlay action (each is listed).
    Propose {
        /// The folder of cassettes.
        dir: PathBuf,
        /// Where the overlay goes.
        #[arg(long, value_name = "FILE", default_value = "proposed.overlay.yaml")]
        overlay: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct VerifyLiveArgs {
    /// Also ask whether the API still accepts the legacy token-in-path form of old scripts: one
    /// GET of /advertiser/<token>/campaigns.json over https. Off by default, since that request
    /// puts the token in a URL, which proxies and servers log.
    #[arg(long)]
    pub probe_legacy: bool,
    /// Keep every answer read, in every format, as VCR cassettes in DIR (one JSON file per
    /// operation: request, status, content type and rate-limit headers, the body byte for
    /// byte). The token is never kept: any echo of it is replaced by <API token>.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// With --record: replace the values that identify the account (ids, names, landing URLs:
    /// what the spec marks x-adsterra-redact) by stand-ins, one per value in every file, so
    /// that links between answers survive and the folder can be published.
    #[arg(long, requires = "record")]
    pub redact: bool,
    /// Write the OpenAPI Overlay that makes the spec describe every answer read to FILE (as
    /// `adsterra spec propose` does from a recorded folder); exit 1 when a deviation cannot be
    /// expressed as an overlay action.
    #[arg(long, value_name = "FILE")]
    pub propose: Option<PathBuf>,
    /// Also try every write operation on the campaign given with --campaign, in pairs that
    /// undo each other (add then remove a placement on each list, set then remove a custom bid,
    /// replace the blacklist with itself, pause then resume a running campaign), reading back
    /// after each step; then put the campaign back as it was and say what, if anything, is left
    /// changed. Asks first on a terminal; --yes elsewhere.
    #[arg(long, requires = "campaign")]
    pub writes: bool,
    /// The campaign --writes may change for a moment.
    #[arg(long, value_name = "ID", requires = "writes")]
    pub campaign: Option<i64>,
    /// Do not ask before --writes.
    #[arg(long, requires = "writes")]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct CampaignsArgs {
    /// What to do; with none, list them.
    #[command(subcommand)]
    pub command: Option<CampaignsCommand>,
}

#[derive(Debug, Subcommand)]
pub enum CampaignsCommand {
    /// Every campaign of the account.
    List,
}

#[derive(Debug, Subcommand)]
pub enum CampaignCommand {
    /// The campaign.
    Get(CampaignId),
    /// Stops the campaign.
    Pause(CampaignWrite),
    /// Starts the campaign again.
    Resume(CampaignWrite),
    /// The campaign's banners.
    Banners(CampaignId),
    /// The campaign's landing pages.
    Landings(CampaignId),
}

#[derive(Debug, Subcommand)]
pub enum BannerCommand {
    /// Stops the banner.
    Pause(BannerWrite),
    /// Starts the banner again.
    Resume(BannerWrite),
    /// The banner's landing pages.
    Landings(BannerId),
}

#[derive(Debug, Subcommand)]
pub enum BlacklistCommand {
    /// The blacklisted placements.
    List(CampaignId),
    /// Adds placements.
    Add(PlacementChange),
    /// Removes placements.
    Remove(PlacementChange),
    /// Makes the list exactly these placements, in one request.
    Replace(PlacementSet),
    /// Removes every placement.
    Clear(ListClear),
    /// Makes the list exactly these placements with the fewest changes, showing them first.
    Sync(PlacementSet),
}

#[derive(Debug, Subcommand)]
pub enum WhitelistCommand {
    /// The whitelisted placements.
    List(CampaignId),
    /// Adds placements.
    Add(PlacementChange),
    /// Removes placements.
    Remove(PlacementChange),
    /// Removes every placement.
    Clear(ListClear),
    /// Makes the list exactly these placements with the fewest changes, showing them first.
    Sync(PlacementSet),
}

#[derive(Debug, Subcommand)]
pub enum BidsCommand {
    /// The campaign's custom bids.
    List(CampaignId),
    /// Sets bids (PLACEMENT=PRICE), adding or overwriting.
    Set(BidChange),
    /// Changes bids that exist (PLACEMENT=PRICE).
    Update(BidChange),
    /// Removes the bids of these placements.
    Remove(PlacementChange),
    /// Removes every custom bid.
    Clear(ListClear),
}

#[derive(Debug, Args)]
pub struct CampaignId {
    /// The campaign's id.
    #[arg(value_name = "CAMPAIGN")]
    pub campaign: i64,
}

#[derive(Debug, Args)]
pub struct BannerId {
    /// The banner's id.
    #[arg(value_name = "BANNER")]
    pub banner: i64,
}

#[derive(Debug, Args)]
pub struct CampaignWrite {
    /// The campaign's id.
    #[arg(value_name = "CAMPAIGN")]
    pub campaign: i64,
    #[command(flatten)]
    pub dry_run: DryRun,
}

#[derive(Debug, Args)]
pub struct BannerWrite {
    /// The banner's id.
    #[arg(value_name = "BANNER")]
    pub banner: i64,
    #[command(flatten)]
    pub dry_run: DryRun,
}

#[derive(Debug, Clone, Copy, Args)]
pub struct DryRun {
    /// Print what would change and the request that would do it; change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, Args)]
pub struct Confirm {
    /// Do not ask for confirmation (required when not on a terminal).
    #[arg(long, short)]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct PlacementChange {
    /// The campaign's id.
    #[arg(value_name = "CAMPAIGN")]
    pub campaign: i64,
    /// Placement ids.
    #[arg(value_name = "PLACEMENT")]
    pub placements: Vec<i64>,
    /// Also read placement ids from this file (`-` for stdin): separated by spaces, commas or
    /// lines; `#` starts a comment.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub dry_run: DryRun,
}

/// A change that makes a list exactly the given placements (an empty one clears it).
#[derive(Debug, Args)]
pub struct PlacementSet {
    #[command(flatten)]
    pub change: PlacementChange,
    #[command(flatten)]
    pub confirm: Confirm,
}

#[derive(Debug, Args)]
pub struct BidChange {
    /// The campaign's id.
    #[arg(value_name = "CAMPAIGN")]
    pub campaign: i64,
    /// Bids as PLACEMENT=PRICE (USD), e.g. 15413270=0.35.
    #[arg(value_name = "PLACEMENT=PRICE")]
    pub bids: Vec<String>,
    /// Also read bids from this file (`-` for stdin): PLACEMENT=PRICE or PLACEMENT,PRICE per
    /// line; `#` starts a comment.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,
    #[command(flatten)]
    pub dry_run: DryRun,
}

#[derive(Debug, Args)]
pub struct ListClear {
    /// The campaign's id.
    #[arg(value_name = "CAMPAIGN")]
    pub campaign: i64,
    #[command(flatten)]
    pub dry_run: DryRun,
    #[command(flatten)]
    pub confirm: Confirm,
}

#[derive(Debug, Args)]
pub struct ApiArgs {
    /// The operationId, such as get_stats or update_campaign_activity.
    #[arg(value_name = "OPERATION", required_unless_present = "list")]
    pub operation: Option<String>,
    /// A path or query parameter as NAME=VALUE (repeat it; repeat a list parameter such as
    /// group_by[] once per value).
    #[arg(long = "param", short = 'p', value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The JSON request body: the JSON itself, @FILE, or - for stdin.
    #[arg(long, value_name = "JSON|@FILE|-")]
    pub body: Option<String>,
    /// List the operations of the spec: method, path, evidence and retry class.
    #[arg(long, conflicts_with_all = ["operation", "params", "body"])]
    pub list: bool,
    #[command(flatten)]
    pub dry_run: DryRun,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// The first day (as `sync --since`).
    #[arg(long, visible_aliases = ["from", "start-date"], value_name = "YYYY-MM-DD", value_parser = date)]
    pub since: NaiveDate,
    /// The last day, included (as `sync --until`).
    #[arg(long, visible_aliases = ["to", "finish-date"], value_name = "YYYY-MM-DD", value_parser = date)]
    pub until: NaiveDate,
    /// Group rows by these keys, in this order (repeat the flag or give a comma list)
    /// [default: date].
    #[arg(long, value_name = "KEY", value_delimiter = ',', value_parser = group_by())]
    pub group_by: Vec<StatsGroupBy>,
    /// Only this campaign.
    #[arg(long, value_name = "ID")]
    pub campaign: Option<i64>,
    /// Only this banner.
    #[arg(long, value_name = "ID")]
    pub banner: Option<i64>,
    /// Only this placement.
    #[arg(long, value_name = "ID")]
    pub placement: Option<i64>,
    /// Only this country (ISO-3166 alpha-2, e.g. US); All for every country (no filter).
    #[arg(long, value_name = "CODE")]
    pub country: Option<String>,
    /// Days per request for long ranges (1 to 366).
    #[arg(long, value_name = "DAYS", default_value_t = adsterra::MAX_STATS_DAYS)]
    pub window_days: u32,
    /// Requests in flight at once for long ranges.
    #[arg(long, value_name = "N", default_value_t = adsterra::DEFAULT_STATS_CONCURRENCY)]
    pub concurrency: usize,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The database: sqlite://PATH (a file, created when missing) or
    /// postgres://USER@HOST/DATABASE (a local socket: postgres://USER@/DATABASE?host=/run/postgresql).
    /// Put a password in ADSTERRA_SYNC_DB or PGPASSWORD rather than in an argument; it is never
    /// printed.
    #[arg(
        long,
        value_name = "URL",
        env = "ADSTERRA_SYNC_DB",
        hide_env_values = true
    )]
    pub db: String,
    /// The first day wanted [default on a first run: 90 days before --until]; on later runs,
    /// an earlier day than the database holds fetches the days between.
    #[arg(long, visible_alias = "from", value_name = "YYYY-MM-DD", value_parser = date)]
    pub since: Option<NaiveDate>,
    /// The last day wanted [default: today, UTC].
    #[arg(long, visible_alias = "to", value_name = "YYYY-MM-DD", value_parser = date)]
    pub until: Option<NaiveDate>,
    /// Group stats by these keys besides the date (repeat the flag or give a comma list);
    /// each grain is a table of its own.
    #[arg(long, value_name = "KEY", value_delimiter = ',', value_parser = group_by())]
    pub group_by: Vec<StatsGroupBy>,
    /// Days before the last day held that are fetched again (0: only new days).
    #[arg(long, value_name = "N", default_value_t = adsterra_sync::DEFAULT_REVISE_DAYS)]
    pub revise_days: u32,
    /// Days per request (1 to 366).
    #[arg(long, value_name = "DAYS", default_value_t = adsterra_sync::DEFAULT_WINDOW_DAYS)]
    pub window_days: u32,
    /// Seconds to wait for another sync of the same table to end (0: exit 9 at once, naming
    /// the run that holds it). Syncs of other tables never wait for each other.
    #[arg(long, value_name = "SECONDS", default_value_t = 0)]
    pub wait: u64,
}

fn date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| "expected a day as YYYY-MM-DD, such as 2025-01-31".to_owned())
}

/// The wire formats, as the formats crate lists them.
fn wire_format() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(Format::ALL.map(Format::extension))
        .try_map(|format| format.parse::<Format>().map_err(|error| error.to_string()))
}

/// The group keys, as the spec lists them.
fn group_by() -> impl TypedValueParser<Value = StatsGroupBy> {
    PossibleValuesParser::new(adsterra::stats_group_keys().iter().copied()).try_map(|key| {
        key.parse::<StatsGroupBy>()
            .map_err(|error| format!("{key}: {error}"))
    })
}
