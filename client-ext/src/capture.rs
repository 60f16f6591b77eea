//! The server's own bytes, next to the typed values: for tools that show or keep exactly what
//! Adsterra answered (the command line's `--output raw`, audit logs).

use std::cell::RefCell;
use std::future::Future;

use bytes::Bytes;

tokio::task_local! {
    /// Bodies captured for the call running in this task; read by the policy.
    static BODIES: RefCell<Vec<Bytes>>;
}

/// Runs `call` and returns its outcome together with the body of every answer it received, byte
/// for byte as the server sent it, in the order the answers completed (a stats range split into
/// windows gives one body per window).
///
/// Capturing reads each body whole before it is decoded, so it is meant for answers a caller
/// wants to keep, not for streaming a large report.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # let sandbox = adsterra_sandbox::Sandbox::start(Default::default()).await?;
/// # let client = adsterra::Client::builder().base_url(sandbox.base_url())
/// #     .token(adsterra::ApiToken::new(sandbox.token())?).build()?;
/// let (balance, bodies) = adsterra::capture_bodies(client.balance()).await;
/// assert!(balance?.balance > 0.0);
/// assert!(bodies[0].starts_with(b"{"));
/// # Ok(()) }
/// ```
pub async fn capture_bodies<F: Future>(call: F) -> (F::Output, Vec<Bytes>) {
    BODIES
        .scope(RefCell::new(Vec::new()), async {
            let outcome = call.await;
            (outcome, BODIES.with(|bodies| bodies.take()))
        })
        .await
}

/// When a capture is running, reads `response` whole, keeps a copy of its body and hands back an
/// equal response; otherwise returns it untouched (still streaming).
pub(crate) async fn keep(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    if BODIES.try_with(|_| ()).is_err() {
        return Ok(response);
    }
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    BODIES.with(|bodies| bodies.borrow_mut().push(body.clone()));
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    Ok(reqwest::Response::from(rebuilt))
}
