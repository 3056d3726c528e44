//! `tokenbench secrets list|set|delete`: the keyring from the command line. Values are read from standard
//! input, never from arguments, and never printed.

use super::{EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE, exit_status, write_stdout};
use crate::core::escape;
use crate::core::secret::{SecretKind, SecretString, validate_item_name};
use crate::services::secrets::{KeyringStore, SecretError, SecretStore};
use clap::Subcommand;
use std::io::Read;

/// `tokenbench secrets …`.
#[derive(Subcommand)]
pub enum SecretsCommand {
    /// List tokenbench's keyring items: names and kinds, never values.
    List,
    /// Create or replace an item; the value is read from standard input.
    Set {
        /// Item name, e.g. client_secret/dev/CLIENT_ID.
        name: String,
    },
    /// Delete an item.
    Delete {
        /// Item name.
        name: String,
    },
}

/// Runs the subcommand: 0 on success, 1 when the item does not exist, 2 when the keyring cannot be reached or
/// the input is wrong.
pub fn run(command: &SecretsCommand) -> u8 {
    // The input is checked before the keyring is opened, so a wrong input is never blamed on the keyring.
    let value = match command {
        SecretsCommand::Set { name } => match read_value(name) {
            Ok(value) => Some(value),
            Err(message) => {
                eprintln!("tokenbench secrets: {}", escape::terminal(&message));
                return EXIT_USAGE;
            }
        },
        SecretsCommand::List | SecretsCommand::Delete { .. } => None,
    };
    let store = match KeyringStore::open() {
        Ok(store) => store,
        Err(e) => return report(&e),
    };
    let result = match (command, value) {
        (SecretsCommand::List, _) => match list(&store) {
            Ok(listing) => return exit_status("secrets", write_stdout(listing.as_bytes()).map(|()| EXIT_OK)),
            Err(e) => Err(e),
        },
        (SecretsCommand::Set { name }, Some(value)) => set(&store, name, &value),
        (SecretsCommand::Set { .. }, None) => Ok(()),
        (SecretsCommand::Delete { name }, _) => store
            .delete(name)
            .map(|()| eprintln!("deleted {}", escape::terminal(name))),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => report(&e),
    }
}

fn report(error: &SecretError) -> u8 {
    eprintln!("tokenbench secrets: {}", escape::terminal(&error.to_string()));
    match error {
        SecretError::NotFound(_) => EXIT_CHECK_FAILED,
        _ => EXIT_USAGE,
    }
}

/// One line per item: its name and what kind of secret it holds, never the value.
fn list(store: &KeyringStore) -> Result<String, SecretError> {
    Ok(store
        .list()?
        .iter()
        .map(|name| format!("{}\t{}\n", escape::terminal(name), SecretKind::of(name).title()))
        .collect())
}

/// Checks the name and reads the value; the message says what to do, and never blames the keyring.
fn read_value(name: &str) -> Result<SecretString, String> {
    validate_item_name(name).map_err(|e| SecretError::BadName(e).to_string())?;
    let mut value = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut value)
        .map_err(|e| format!("could not read the value from standard input: {e}"))?;
    let value = SecretString::new(value.strip_suffix('\n').unwrap_or(&value).trim_end_matches('\r'));
    if value.is_empty() {
        return Err(
            "the value is empty: pipe the secret on standard input, e.g. printf %s \"$SECRET\" | tokenbench secrets \
             set NAME"
                .to_owned(),
        );
    }
    Ok(value)
}

fn set(store: &KeyringStore, name: &str, value: &SecretString) -> Result<(), SecretError> {
    store.set(name, value)?;
    eprintln!(
        "saved {} ({} bytes) in the OS keyring",
        escape::terminal(name),
        value.len()
    );
    Ok(())
}
