//! What every error says. Review changes with `cargo insta review`: these texts are what a
//! user reads when something goes wrong, and each should say what to do next. (A unit test: the
//! variants cannot be built outside the crate, so that they can gain fields.)

use std::collections::BTreeMap;
use std::time::Duration;

use super::{Call, Error};
use crate::{Endpoint, Format};

#[test]
fn every_error_says_what_happened_and_what_to_do() {
    let call = Call {
        operation: Endpoint::GetStats.operation(Format::Csv),
        attempts: 4,
    };
    let once = Call {
        operation: Endpoint::GetCampaign.operation(Format::Json),
        attempts: 1,
    };
    let errors = [
        Error::InvalidInput {
            field: "campaign_id",
            reason: "must be a positive id, got 0".into(),
        },
        Error::Unauthorized {
            call: once,
            message: "Token not found".into(),
        },
        Error::Forbidden {
            call: once,
            message: "Invalid token".into(),
        },
        Error::NotFound {
            call: once,
            message: "Not found".into(),
        },
        Error::Validation {
            call: once,
            message: "Validation failed".into(),
            fields: BTreeMap::from([
                (
                    "finish_date".to_owned(),
                    vec!["Date range cannot exceed 366 days".to_owned()],
                ),
                (
                    "group_by".to_owned(),
                    vec!["unknown value \"os\"".to_owned()],
                ),
            ]),
        },
        Error::RateLimited {
            call,
            retry_after: Some(Duration::from_secs(30)),
        },
        Error::RateLimited {
            call,
            retry_after: None,
        },
        Error::Server {
            call,
            status: 503,
            message: "Service Unavailable".into(),
        },
        Error::Timeout { call },
        Error::Decode {
            call,
            format: Format::Csv,
            path: Some("items[3].impressions".into()),
            message: "expected an integer (i64), found \"12x\"".into(),
            snippet: "date;impressions\n2026-11-01;12x".into(),
        },
        Error::Unexpected {
            call: once,
            status: 307,
        },
        Error::PartiallyApplied {
            applied: vec![1, 2],
            unsure: vec![3, 4],
            not_sent: vec![5],
            source: Box::new(Error::Server {
                call,
                status: 500,
                message: "Internal Server Error".into(),
            }),
        },
    ];
    let texts: Vec<String> = errors.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!("every_error", texts.join("\n"));
    assert!(errors.iter().filter(|e| e.is_retryable()).count() == 4);
}
