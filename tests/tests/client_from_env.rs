//! `Client::from_env`: the token and base URL from the environment. One test in its own binary,
//! because it changes the process environment.

// Changing the environment is unsafe since Rust 2024; this binary runs one test on one thread.
#![allow(unsafe_code)]

use adsterra::{Client, Error};
use adsterra_sandbox::{Config, Sandbox};

#[tokio::test]
async fn from_env_reads_the_token_and_the_base_url() {
    let sandbox = Sandbox::start(Config::default()).await.unwrap();

    // SAFETY: this binary holds this one test, so no other thread reads the environment.
    unsafe { std::env::remove_var(adsterra::ENV_API_KEY) };
    match Client::from_env() {
        Err(Error::InvalidInput { field, reason, .. }) => {
            assert_eq!(field, "ADSTERRA_API_KEY");
            assert!(reason.contains("is not set"), "{reason}");
        }
        other => panic!("expected a missing-token error, got {other:?}"),
    }

    // SAFETY: as above.
    unsafe {
        std::env::set_var(adsterra::ENV_API_KEY, sandbox.token());
        std::env::set_var(adsterra::ENV_BASE_URL, sandbox.base_url());
    }
    let client = Client::from_env().expect("both variables are set");
    let balance = client.balance().await.expect("the sandbox answers");
    assert_eq!(balance.balance, sandbox.account().balance);
}
