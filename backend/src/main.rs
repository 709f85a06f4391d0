//! The `openwelfare` command: serve (default), import, migrate.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use openwelfare::config::Config;
use openwelfare::import::{self, Location};
use openwelfare::{official::catalog::Catalog, server, telemetry, Error};

#[derive(Parser)]
#[command(
    name = "openwelfare",
    version,
    about = "Open Welfare Bologna: the open map of Bologna's social services"
)]
struct Cli {
    /// A TOML configuration file (environment variables override it).
    #[arg(long, env = "OPENWELFARE_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (the default).
    Serve,
    /// Download (or read from a mirror), verify and load the official data.
    Import {
        /// A directory or http(s) base URL laid out like the origin (overrides OPENWELFARE_DATA_MIRROR).
        #[arg(long)]
        mirror: Option<String>,
        /// Parse and load again even if every file's hash is already loaded.
        #[arg(long)]
        force: bool,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Accounts with powers.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin, or make an existing account one. Without
    /// --password-stdin, prints a one-hour link to set the password.
    Create {
        #[arg(long)]
        email: String,
        /// The display name of a new account.
        #[arg(long)]
        name: Option<String>,
        /// Read the password from standard input (one line).
        #[arg(long)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let config = match Config::load(cli.config.as_deref()) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&config);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command.unwrap_or(Command::Serve), config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("openwelfare: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

async fn run(command: Command, config: Config) -> Result<(), Error> {
    match command {
        Command::Serve => server::serve(config).await,
        Command::Migrate => {
            server::open_store(&config).await?.close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    name,
                    password_stdin,
                },
        } => {
            let password = if password_stdin {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).map_err(Error::Io)?;
                Some(line)
            } else {
                None
            };
            let store = server::open_store(&config).await?;
            let result = openwelfare::admin::create(
                store.as_ref(),
                &config,
                &email,
                name.as_deref(),
                password.as_deref(),
            )
            .await;
            store.close().await;
            let created = result?;
            let what = if created.new { "created" } else { "promoted" };
            println!("admin {what}: user {}", created.user_id);
            if let Some(link) = created.set_password_link {
                println!("set the password within one hour at: {link}");
            }
            Ok(())
        }
        Command::Import { mirror, force } => {
            let location = match mirror {
                Some(m) => Location::parse_mirror(&m).map_err(|message| {
                    openwelfare::config::ConfigError {
                        key: "--mirror".into(),
                        message,
                    }
                })?,
                None => config.data_mirror.clone().unwrap_or(Location::Origin),
            };
            let store = server::open_store(&config).await?;
            let catalog = Catalog::official()?;
            let result = import::run(store.as_ref(), &catalog, &location, force).await;
            store.close().await;
            println!("{}", result?);
            Ok(())
        }
    }
}
