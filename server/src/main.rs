//! `hongbao-server --help`

use clap::Parser;
use hongbao_server::Config;
use hongbao_server::config::{Command, LogFormat};
use std::io::Write;

fn main() -> std::process::ExitCode {
    let config = Config::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env("HONGBAO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Text => logs.init(),
        // One JSON object a line: timestamp, level, target, fields (message included), spans.
        LogFormat::Json => logs.json().with_current_span(false).init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("hongbao-server: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = match &config.command {
        None => runtime.block_on(hongbao_server::run(config)),
        Some(Command::Backup { file }) => {
            if config.is_postgres() {
                Err(anyhow::anyhow!(
                    "backup copies a SQLite database; for PostgreSQL use pg_dump"
                ))
            } else {
                let done = runtime.block_on(hongbao_server::store::sqlite::backup(
                    &config.database_url,
                    file,
                ));
                if done.is_ok() {
                    println!("backed up {} to {}", config.database_url, file.display());
                }
                done
            }
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hongbao-server: error: {e:#}");
            let _ = std::io::stderr().flush();
            std::process::ExitCode::FAILURE
        }
    }
}
