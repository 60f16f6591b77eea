//! The test PostgreSQL server of `.ci/postgres.sh`, as a clone's tests meet it: a server that a
//! test run starts stops when the run ends, and a clone deleted and cloned again at the same
//! path never meets the old run's server (each start listens on a port of its own, so their
//! socket files differ, and the old one's shutdown removes only its own).

use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use adsterra_tests::databases::postgres_in as script;

/// Whether a server answers at `server`.
async fn answers(server: &str) -> bool {
    match tokio_postgres::connect(server, tokio_postgres::NoTls).await {
        Ok((client, connection)) => {
            tokio::spawn(connection);
            client.simple_query("SELECT 1").await.is_ok()
        }
        Err(_) => false,
    }
}

/// The postmaster's pid, from the data folder.
fn postmaster(dir: &Path) -> String {
    let pid = std::fs::read_to_string(dir.join("data/postmaster.pid")).unwrap();
    pid.lines().next().unwrap().to_owned()
}

#[tokio::test]
async fn a_server_the_tests_start_stops_when_their_run_ends() {
    let dir = std::env::temp_dir().join(format!("adsterra-pg-until-{}", std::process::id()));
    // The "test run": a process that ends in a moment.
    let mut run: Child = Command::new("sleep").arg("2").spawn().unwrap();
    let server = script(&dir, &["--until", &run.id().to_string()]);
    assert!(answers(&server).await, "{server}");
    run.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while answers(&server).await {
        assert!(
            Instant::now() < deadline,
            "the server outlived its test run"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn a_clone_at_the_same_path_never_meets_the_old_runs_server() {
    let dir = std::env::temp_dir().join(format!("adsterra-pg-reclone-{}", std::process::id()));
    let old = script(&dir, &["--until", &std::process::id().to_string()]);
    let old_pid = postmaster(&dir);
    // The clone is deleted while its server runs, and cloned again at the same path.
    std::fs::remove_dir_all(&dir).unwrap();
    let new = script(&dir, &["--until", &std::process::id().to_string()]);
    assert_ne!(old, new, "the new server listens on a port of its own");
    assert!(answers(&new).await, "{new}");
    // The old server shuts down (fast shutdown, as `pg_ctl stop` sends): the new one goes on.
    let stopped = Command::new("kill")
        .args(["-INT", &old_pid])
        .status()
        .unwrap();
    assert!(stopped.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    while Command::new("kill")
        .args(["-0", &old_pid])
        .status()
        .unwrap()
        .success()
    {
        assert!(Instant::now() < deadline, "the old server did not stop");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        answers(&new).await,
        "the old server's shutdown took the new one's socket"
    );
    script(&dir, &["stop"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
