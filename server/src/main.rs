//! `hongbao-server --help`

use clap::Parser;
use hongbao_server::Config;
use std::io::Write;

fn main() -> std::process::ExitCode {
    let config = Config::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("HONGBAO_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
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
    match runtime.block_on(hongbao_server::run(config)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hongbao-server: error: {e:#}");
            let _ = std::io::stderr().flush();
            std::process::ExitCode::FAILURE
        }
    }
}
