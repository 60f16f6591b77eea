//! `adsterra sync` to PostgreSQL over TLS, as to a managed server: the test server of
//! `.ci/postgres.sh` listens on 127.0.0.1 with TLS on, its certificate naming `localhost` and
//! signed by a CA of its own. What a user checks: the modes that should connect do, over TLS
//! (the server's `pg_stat_ssl` says so), and a wrong CA or a wrong host name is refused with a
//! message that says what to do.

use std::path::{Path, PathBuf};
use std::process::Command;

use adsterra::types::StatsGroupBy;
use adsterra_sync::{Database, SyncError, SyncJob};
use adsterra_tests::databases::{Kind, TestDatabase, postgres_ca};
use adsterra_tests::support::{client, fast_retries, sandbox};
use chrono::{Days, Utc};

/// Whether the server has a TLS connection to `database`'s database open (asked over the
/// Unix socket, from the server's own view of its connections).
async fn encrypted(database: &TestDatabase) -> Vec<String> {
    let rows = database
        .texts(
            "SELECT s.ssl::text FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) \
             WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()",
        )
        .await;
    rows.into_iter().map(|row| row[0].clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_full_with_the_right_ca_syncs_over_tls() {
    let database = TestDatabase::new(Kind::Postgres, "tls_verify_full").await;
    let ca = postgres_ca();
    let url = database.over_tcp(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", ca.display()),
    );
    let sandbox = sandbox("").await;
    let client = client(sandbox.base_url(), sandbox.token(), fast_retries(3));
    let mut db = Database::open(&url)
        .await
        .expect("verify-full with the right CA");
    assert_eq!(encrypted(&database).await, ["true"]);
    let summary = SyncJob::new(&client, &mut db)
        .group_by([StatsGroupBy::Campaign])
        .since(Utc::now().date_naive() - Days::new(5))
        .run()
        .await
        .unwrap();
    assert!(summary.inserted > 0, "{summary}");
    let stored = database
        .number("SELECT count(*)::text FROM stats_by_date_campaign")
        .await;
    assert_eq!(stored, summary.inserted as i64);
}

#[tokio::test]
async fn require_and_the_default_connect_over_tls_and_disable_does_not() {
    let database = TestDatabase::new(Kind::Postgres, "tls_modes").await;
    // `require` checks no certificate, as libpq's (with no root CA at hand); `prefer`, the
    // default, takes TLS when the server offers it; verify-ca takes the CA, whatever the name.
    let ca = postgres_ca();
    for (host, query, tls) in [
        ("127.0.0.1", "sslmode=require".to_owned(), "true"),
        ("127.0.0.1", "application_name=default".to_owned(), "true"),
        (
            "127.0.0.1",
            format!("sslmode=verify-ca&sslrootcert={}", ca.display()),
            "true",
        ),
        ("localhost", "sslmode=disable".to_owned(), "false"),
    ] {
        let url = database.over_tcp(host, &query);
        let db = Database::open(&url)
            .await
            .unwrap_or_else(|error| panic!("{query}: {error}"));
        assert_eq!(encrypted(&database).await, [tls], "{query}");
        drop(db);
        // The server notices the closed connection on its own time.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while !encrypted(&database).await.is_empty() {
            assert!(
                std::time::Instant::now() < deadline,
                "{query}: still connected"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

#[tokio::test]
async fn a_wrong_ca_or_a_wrong_host_name_is_refused_clearly() {
    let database = TestDatabase::new(Kind::Postgres, "tls_refused").await;
    let folder = std::env::temp_dir().join(format!("adsterra-tls-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let other_ca = make_ca(&folder);

    let url = database.over_tcp(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", other_ca.display()),
    );
    let error = refused(&url).await;
    assert!(
        error.contains("sslmode=verify-full")
            && error.contains("not signed by the CA file")
            && error.contains(&other_ca.display().to_string())
            && error.contains("sslrootcert=FILE"),
        "{error}"
    );
    // verify-ca checks the same chain.
    let error = refused(&url.replace("verify-full", "verify-ca")).await;
    assert!(error.contains("not signed by"), "{error}");

    let url = database.over_tcp(
        "127.0.0.1",
        &format!(
            "sslmode=verify-full&sslrootcert={}",
            postgres_ca().display()
        ),
    );
    let error = refused(&url).await;
    assert!(
        error.contains("127.0.0.1")
            && error.contains("host name the server's certificate names")
            && error.contains("verify-ca"),
        "{error}"
    );

    let missing = folder.join("missing.pem");
    let url = database.over_tcp(
        "localhost",
        &format!("sslmode=verify-full&sslrootcert={}", missing.display()),
    );
    let error = Database::open(&url).await.unwrap_err();
    assert!(
        matches!(error, SyncError::Invalid { field: "db", .. })
            && error.to_string().contains("missing.pem"),
        "{error}"
    );
    std::fs::remove_dir_all(&folder).unwrap();
}

/// The error of opening `url`, refused in the TLS handshake.
async fn refused(url: &str) -> String {
    let error = Database::open(url).await.expect_err(url);
    assert!(matches!(error, SyncError::PostgresTls { .. }), "{error:?}");
    error.to_string()
}

/// A CA of the test's own, which signed nothing the server has.
fn make_ca(folder: &Path) -> PathBuf {
    let ca = folder.join("other-ca.crt");
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=another CA", "-keyout"])
        .arg(folder.join("other-ca.key"))
        .arg("-out")
        .arg(&ca)
        .output()
        .expect("openssl, which .ci/postgres.sh installs");
    assert!(status.status.success(), "{status:?}");
    ca
}
