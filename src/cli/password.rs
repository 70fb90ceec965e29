//! `dirgate password forgot|reset`: a forgotten password, reset with a code
//! mailed to the account, through the admin API's public calls (no
//! credential is sent: the person has none that works).

use super::client::{CliError, Client};
use super::run::new_password;
use clap::Subcommand;
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum PasswordCmd {
    /// Ask for a reset code by mail. The answer is the same whether or not
    /// the login or address names an account.
    Forgot {
        /// A login or a mail address.
        login: String,
    },
    /// Set a new password with the mailed code (the new password from
    /// DIRGATE_NEW_PASSWORD, else the first line of stdin).
    Reset {
        /// The code from the mail.
        #[arg(long)]
        code: String,
    },
}

/// Runs one `password` command; prints what the daemon says.
pub fn run(c: &Client, cmd: PasswordCmd, json: bool) -> Result<(), CliError> {
    let answer = match cmd {
        PasswordCmd::Forgot { login } => {
            c.call("POST", "/password/forgot", Some(&json!({ "login": login })))?
        }
        PasswordCmd::Reset { code } => {
            let body = json!({ "code": code, "password": new_password()? });
            c.call("POST", "/password/reset", Some(&body))?
        }
    };
    if json {
        println!("{answer:#}");
    } else if let Some(note) = answer["note"].as_str() {
        println!("{note}");
    }
    Ok(())
}
