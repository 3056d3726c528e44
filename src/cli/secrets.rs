//! `tokenbench secrets list|set|delete`: the keyring from the command line. Values are read from standard
//! input, never from arguments, and never printed.

use super::{EXIT_CHECK_FAILED, EXIT_OK, EXIT_USAGE};
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
    let store = match KeyringStore::open() {
        Ok(store) => store,
        Err(e) => return report(&e),
    };
    let result = match command {
        SecretsCommand::List => list(&store),
        SecretsCommand::Set { name } => set(&store, name),
        SecretsCommand::Delete { name } => store.delete(name).map(|()| eprintln!("deleted {name}")),
    };
    match result {
        Ok(()) => EXIT_OK,
        Err(e) => report(&e),
    }
}

fn report(error: &SecretError) -> u8 {
    eprintln!("tokenbench secrets: {error}");
    match error {
        SecretError::NotFound(_) => EXIT_CHECK_FAILED,
        _ => EXIT_USAGE,
    }
}

fn list(store: &KeyringStore) -> Result<(), SecretError> {
    for name in store.list()? {
        println!("{name}\t{}", SecretKind::of(&name).title());
    }
    Ok(())
}

fn set(store: &KeyringStore, name: &str) -> Result<(), SecretError> {
    validate_item_name(name).map_err(SecretError::BadName)?;
    let mut value = zeroize::Zeroizing::new(String::new());
    std::io::stdin()
        .read_to_string(&mut value)
        .map_err(|e| SecretError::Invalid(format!("could not read the value from standard input: {e}")))?;
    let value = SecretString::new(value.strip_suffix('\n').unwrap_or(&value).trim_end_matches('\r'));
    if value.is_empty() {
        return Err(SecretError::Invalid(
            "the value is empty: pipe it in, e.g. `printf %s \"$SECRET\" | tokenbench secrets set NAME`".to_owned(),
        ));
    }
    store.set(name, &value)?;
    eprintln!("saved {name} ({} bytes) in the OS keyring", value.len());
    Ok(())
}
