//! A throwaway PostgreSQL cluster for the server benchmark: initdb in a temp dir, listening
//! on a free loopback port only, stopped and removed on drop. Run as the `postgres` user
//! when we are root (initdb refuses root).

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    as_postgres: bool,
    port: u16,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

impl Cluster {
    fn command(&self, program: &str, args: &[&str]) -> Command {
        let exe = self.bin.join(program);
        if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(exe).args(args);
            c
        } else {
            let mut c = Command::new(exe);
            c.args(args);
            c
        }
    }

    /// Starts a cluster with PostgreSQL's default durability (fsync, synchronous commit).
    pub fn start(bin: &Path) -> Result<Cluster> {
        let dir = std::env::temp_dir().join(format!("hongbao-bench-pg-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)?;
        let as_postgres = is_root();
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()?
                .success();
            if !ok {
                bail!("chown of {} to postgres failed", dir.display());
            }
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let mut cluster = Cluster {
            bin: bin.to_path_buf(),
            dir,
            as_postgres,
            port,
        };
        let data = cluster.dir.join("data").to_string_lossy().into_owned();
        let out = cluster
            .command(
                "initdb",
                &["-D", &data, "-U", "postgres", "--auth=trust", "-E", "UTF8"],
            )
            .output()
            .context("running initdb")?;
        if !out.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let options = format!(
            "-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200 \
             -c shared_buffers=256MB"
        );
        let log = cluster.dir.join("log").to_string_lossy().into_owned();
        let ok = cluster
            .command(
                "pg_ctl",
                &["-D", &data, "-l", &log, "-o", &options, "-w", "start"],
            )
            .status()
            .context("running pg_ctl start")?
            .success();
        if !ok {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            cluster.dir = PathBuf::new();
            bail!("PostgreSQL did not start: {log}");
        }
        Ok(cluster)
    }
}

impl Cluster {
    /// Creates an empty database `name`; its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        let port = self.port.to_string();
        let out = self
            .command(
                "createdb",
                &["-h", "127.0.0.1", "-p", &port, "-U", "postgres", name],
            )
            .output()
            .context("running createdb")?;
        if !out.status.success() {
            bail!("createdb {name}: {}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(format!("postgres://postgres@127.0.0.1:{port}/{name}"))
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if self.dir.as_os_str().is_empty() {
            return;
        }
        let data = self.dir.join("data").to_string_lossy().into_owned();
        let _ = self
            .command("pg_ctl", &["-D", &data, "-m", "fast", "-w", "stop"])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
