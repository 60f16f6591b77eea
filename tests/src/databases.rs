//! Real databases for the sync tests: a SQLite file in a fresh folder, or a fresh database on
//! the PostgreSQL server of `.ci/postgres.sh` (Debian's package, on a Unix socket in
//! `.tools/postgres`), and the few reads the tests make of what the sync wrote.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::workspace_root;

/// Which database a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A fresh, empty database for one test.
#[derive(Debug)]
pub struct TestDatabase {
    /// What `adsterra sync --db` takes.
    pub url: String,
    kind: Kind,
    /// The SQLite file's folder, removed at the end.
    folder: Option<PathBuf>,
}

impl TestDatabase {
    /// A fresh database of `kind`, named after the test.
    pub async fn new(kind: Kind, test: &str) -> Self {
        match kind {
            Kind::Sqlite => {
                let folder = std::env::temp_dir().join(format!(
                    "adsterra-sync-{test}-{}-{}",
                    std::process::id(),
                    fastrand_suffix()
                ));
                std::fs::create_dir_all(&folder).unwrap();
                Self {
                    url: format!("sqlite://{}", folder.join("stats.db").display()),
                    kind,
                    folder: Some(folder),
                }
            }
            Kind::Postgres => {
                let server = postgres_server();
                let name = format!("sync_{test}");
                let (client, connection) = tokio_postgres::connect(server, tokio_postgres::NoTls)
                    .await
                    .unwrap_or_else(|e| panic!("the test PostgreSQL server ({server}): {e}"));
                tokio::spawn(connection);
                // One statement each: a multi-statement string runs as one transaction block.
                for statement in [
                    format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    format!("CREATE DATABASE {name}"),
                ] {
                    client.batch_execute(&statement).await.unwrap();
                }
                let base = server.replace("dbname=postgres", "");
                Self {
                    url: format!("{} dbname={name}", base.trim()),
                    kind,
                    folder: None,
                }
            }
        }
    }

    /// The database `url` names, on a server of the caller's own (which it keeps).
    pub fn at(kind: Kind, url: &str) -> Self {
        Self {
            url: url.to_owned(),
            kind,
            folder: None,
        }
    }

    /// Runs `sql` (any number of statements, such as a dump of a database).
    pub async fn load(&self, sql: &str) {
        match self.kind {
            Kind::Sqlite => {
                let path = self.url.strip_prefix("sqlite://").unwrap();
                let connection = rusqlite::Connection::open(path).unwrap();
                connection.execute_batch(sql).unwrap();
            }
            Kind::Postgres => {
                let (client, connection) =
                    tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
                        .await
                        .unwrap();
                tokio::spawn(connection);
                client.batch_execute(sql).await.unwrap();
            }
        }
    }

    /// Every row `sql` selects, each value read as text (`NULL` for null).
    pub async fn texts(&self, sql: &str) -> Vec<Vec<String>> {
        self.try_texts(sql)
            .await
            .unwrap_or_else(|error| panic!("{sql}: {error}"))
    }

    /// [`Self::texts`], or why the query failed (a table not made yet, while a sync runs).
    pub async fn try_texts(&self, sql: &str) -> Result<Vec<Vec<String>>, String> {
        match self.kind {
            Kind::Sqlite => {
                let path = self.url.strip_prefix("sqlite://").unwrap();
                let read = || -> rusqlite::Result<Vec<Vec<String>>> {
                    let connection = rusqlite::Connection::open(path)?;
                    let mut statement = connection.prepare(sql)?;
                    let columns = statement.column_count();
                    statement
                        .query_map([], |row| {
                            (0..columns)
                                .map(|i| Ok(sqlite_text(row.get_ref(i)?)))
                                .collect()
                        })?
                        .collect()
                };
                read().map_err(|error| error.to_string())
            }
            Kind::Postgres => {
                let (client, connection) =
                    tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
                        .await
                        .map_err(|error| error.to_string())?;
                tokio::spawn(connection);
                // The simple protocol answers every value as text, whatever its type.
                let messages =
                    (client.simple_query(sql).await).map_err(|error| error.to_string())?;
                Ok((messages.iter())
                    .filter_map(|message| match message {
                        tokio_postgres::SimpleQueryMessage::Row(row) => Some(
                            (0..row.len())
                                .map(|i| row.get(i).unwrap_or("NULL").to_owned())
                                .collect(),
                        ),
                        _ => None,
                    })
                    .collect())
            }
        }
    }

    /// This PostgreSQL database over TCP and TLS, at `host` (`localhost`, which the server's
    /// certificate names, or `127.0.0.1`, which it does not), with the URL's `query`
    /// (`sslmode=verify-full&sslrootcert=…`).
    pub fn over_tcp(&self, host: &str, query: &str) -> String {
        assert_eq!(self.kind, Kind::Postgres, "SQLite has no TLS");
        let option = |key: &str| server_option(&self.url, key);
        format!(
            "postgres://{}@{host}:{}/{}?{query}",
            option("user"),
            option("port"),
            option("dbname")
        )
    }

    /// The last day the sync recorded in `sync_state`, once it has recorded one (a sync may
    /// be running).
    pub async fn last_day(&self) -> Option<chrono::NaiveDate> {
        let rows = (self
            .try_texts("SELECT CAST(last_day AS TEXT) FROM sync_state")
            .await)
            .ok()?;
        rows.first()?.first()?.parse().ok()
    }

    /// The one integer `sql` selects (cast to text in the query).
    pub async fn number(&self, sql: &str) -> i64 {
        let rows = self.texts(sql).await;
        rows[0][0]
            .parse()
            .unwrap_or_else(|_| panic!("{sql}: {rows:?}"))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some(folder) = &self.folder {
            let _ = std::fs::remove_dir_all(folder);
        }
    }
}

fn sqlite_text(value: rusqlite::types::ValueRef<'_>) -> String {
    use rusqlite::types::ValueRef;
    match value {
        ValueRef::Null => "NULL".to_owned(),
        ValueRef::Integer(v) => v.to_string(),
        ValueRef::Real(v) => v.to_string(),
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
    }
}

fn fastrand_suffix() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::time::SystemTime::now())
}

/// `.ci/postgres.sh --dir DIR` with `args` (`--until PID`, `stop`): a server of the caller's
/// own in DIR, for a test that stops or replaces it; its connection string when it starts.
pub fn postgres_in(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("bash")
        .arg(workspace_root().join(".ci/postgres.sh"))
        .arg("--dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// The CA that signed the test server's certificate (made by `.ci/postgres.sh`, beside its
/// socket).
pub fn postgres_ca() -> PathBuf {
    let ca = PathBuf::from(server_option(postgres_server(), "host")).join("tls/ca.crt");
    assert!(
        ca.is_file(),
        "the TLS tests need the CA that .ci/postgres.sh makes, {}; with ADSTERRA_TEST_POSTGRES \
         set, it must name that script's server",
        ca.display()
    );
    ca
}

/// `key`'s value in a `key=value` connection string.
fn server_option(server: &str, key: &str) -> String {
    (server.split_whitespace())
        .find_map(|pair| pair.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("{server:?} has no {key}"))
        .to_owned()
}

/// The test server's connection string: `ADSTERRA_TEST_POSTGRES` (set by `.ci/run`), or the
/// server `.ci/postgres.sh` starts (or finds running) in this checkout. A server it starts is
/// stopped when the test run ends.
pub fn postgres_server() -> &'static str {
    static SERVER: OnceLock<String> = OnceLock::new();
    SERVER.get_or_init(|| {
        if let Ok(server) = std::env::var("ADSTERRA_TEST_POSTGRES") {
            return server;
        }
        let script = workspace_root().join(".ci/postgres.sh");
        // Stopped when this test run (cargo, this process's parent) has ended.
        let output = Command::new("bash")
            .arg(&script)
            .arg("--until")
            .arg(std::os::unix::process::parent_id().to_string())
            .output()
            .unwrap_or_else(|error| {
                panic!(
                    "the PostgreSQL tests run {} with bash, or need ADSTERRA_TEST_POSTGRES set \
                     to a server's connection string: {error}",
                    script.display()
                )
            });
        assert!(
            output.status.success(),
            "the PostgreSQL tests need a server: {} failed (it installs Debian's postgresql with \
             apt-get when missing, which needs root, and starts a server in .tools/postgres; \
             install it with `apt-get install postgresql`, or set ADSTERRA_TEST_POSTGRES): {}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    })
}
