//! Which operations may be sent twice.
//!
//! Reads and writes that set a state (start or stop, replace a list, set a price, add to or remove
//! from a set) leave the account the same however often they apply, so any transient failure may
//! be retried. Clearing a whole list is different: if the first attempt did apply and the list was
//! changed in between, a second one would remove more than asked. Such operations, and any
//! operation this table does not know, are retried only when the request surely never reached
//! Adsterra: the connection was refused, or the answer was 429 (throttled before handling).

/// How an operation may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryClass {
    /// Applying it twice equals applying it once: retry any transient failure.
    Idempotent,
    /// Retry only when the request surely was not handled.
    OnlyIfNotHandled,
}

/// The class of an operation, by its operationId (any format suffix ignored).
pub fn retry_class(operation_id: &str) -> RetryClass {
    let base = operation_id
        .strip_suffix("_csv")
        .or_else(|| operation_id.strip_suffix("_xml"))
        .unwrap_or(operation_id);
    match base {
        "get_balance"
        | "get_campaigns"
        | "get_campaign"
        | "get_campaign_banners"
        | "get_campaign_landings"
        | "get_banner_landings"
        | "get_campaign_blacklist"
        | "get_campaign_whitelist"
        | "get_custom_bids"
        | "get_stats"
        | "update_campaign_activity"
        | "update_banner_activity"
        | "replace_blacklist"
        | "add_to_blacklist"
        | "delete_from_blacklist"
        | "add_to_whitelist"
        | "delete_from_whitelist"
        | "set_custom_bids"
        | "update_custom_bids"
        | "delete_custom_bids" => RetryClass::Idempotent,
        _ => RetryClass::OnlyIfNotHandled,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_state_setting_writes_are_idempotent_in_every_format() {
        for id in [
            "get_stats",
            "get_stats_csv",
            "update_campaign_activity_xml",
            "replace_blacklist",
        ] {
            assert_eq!(retry_class(id), RetryClass::Idempotent, "{id}");
        }
    }

    #[test]
    fn clearing_and_unknown_operations_retry_only_when_not_handled() {
        for id in [
            "clean_blacklist",
            "clean_campaign_whitelist_csv",
            "clean_custom_bids",
            "create_campaign",
        ] {
            assert_eq!(retry_class(id), RetryClass::OnlyIfNotHandled, "{id}");
        }
    }
}
