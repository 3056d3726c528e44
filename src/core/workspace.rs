//! The workspace: environments, saved forms and local-tenant settings. Plain data that is safe to write to
//! disk or export: every secret in it is a `SecretRef`, never a value.

use crate::core::secret::{SecretRef, validate_item_name};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Everything a user sets up, saved as `workspace.json` and exported as a workspace file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Workspace {
    /// File format version.
    pub version: u64,
    /// Tenants (or the local issuer) requests go to.
    pub environments: Vec<Environment>,
    /// Request forms saved by name.
    pub forms: Vec<SavedForm>,
    /// Settings of the embedded local tenant.
    pub local_tenant: LocalTenant,
}

impl Default for Workspace {
    fn default() -> Self {
        Self {
            version: 1,
            environments: Vec::new(),
            forms: Vec::new(),
            local_tenant: LocalTenant::default(),
        }
    }
}

/// A tenant or the local issuer, with its default client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Environment {
    /// Display name, unique in the workspace.
    pub name: String,
    /// `https://TENANT.auth0.com`; `None` means the local issuer.
    pub base_url: Option<String>,
    /// Default client ID.
    pub client_id: String,
    /// Other clients of this tenant the forms offer to pick.
    pub client_ids: Vec<String>,
    /// The client secret's keyring item.
    pub client_secret: Option<SecretRef>,
    /// Check the tenant's TLS certificate (on unless the user turned it off; files without it mean on).
    pub verify_tls: bool,
}

impl Default for Environment {
    fn default() -> Self {
        Self {
            name: String::new(),
            base_url: None,
            client_id: String::new(),
            client_ids: Vec::new(),
            client_secret: None,
            verify_tls: true,
        }
    }
}

/// A request form saved by name: fields exactly as typed, secrets as references.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct SavedForm {
    /// Name given by the user.
    pub name: String,
    /// Which form: `delegation` or `token_exchange`.
    pub kind: String,
    /// Non-secret fields.
    pub fields: BTreeMap<String, String>,
    /// Secret fields, by reference.
    pub secrets: BTreeMap<String, SecretRef>,
}

/// Settings of the embedded tenant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LocalTenant {
    /// The tenant's domain as shown in `iss`.
    pub domain: String,
    /// The RS256 signing key's keyring item.
    pub signing_key: Option<SecretRef>,
}

impl Default for LocalTenant {
    fn default() -> Self {
        Self {
            domain: "local.tokenbench.test".to_owned(),
            signing_key: None,
        }
    }
}

/// A field error for the environment form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Which field.
    pub field: &'static str,
    /// What is wrong and what to do.
    pub message: String,
}

impl Environment {
    /// Validates the environment against the others; returns every field error at once.
    pub fn validate(&self, others: &[Environment]) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut push = |field, message: &str| {
            errors.push(FieldError {
                field,
                message: message.to_owned(),
            })
        };
        if self.name.trim().is_empty() {
            push("name", "give the environment a name, e.g. dev");
        } else if others.iter().any(|o| o.name == self.name) {
            push("name", "another environment already has this name");
        }
        if let Some(url) = &self.base_url {
            match url::Url::parse(url) {
                Ok(u)
                    if u.scheme() == "https"
                        || u.host_str() == Some("127.0.0.1")
                        || u.host_str() == Some("localhost") => {}
                Ok(_) => push("base_url", "use https:// (plain http only for localhost)"),
                Err(_) => push("base_url", "not a URL: enter something like https://TENANT.auth0.com"),
            }
        }
        errors
    }
}

impl Environment {
    /// The clients the forms offer, as (client ID, note): the default first, then the others, each once.
    pub fn known_clients(&self) -> Vec<(String, String)> {
        let default = Some(&self.client_id).filter(|id| !id.trim().is_empty());
        let mut known: Vec<(String, String)> = default
            .map(|id| (id.clone(), "default".to_owned()))
            .into_iter()
            .collect();
        for id in &self.client_ids {
            if !id.trim().is_empty() && !known.iter().any(|(k, _)| k == id) {
                known.push((id.clone(), String::new()));
            }
        }
        known
    }

    /// The warning every form sending here shows while TLS verification is off.
    pub fn tls_warning(&self) -> Option<String> {
        (!self.verify_tls).then(|| {
            format!(
                "TLS verification is off for {}: anyone on the network path can read and change these requests",
                self.name
            )
        })
    }
}

/// Client IDs typed as one list, separated by commas or spaces, each kept once in the order typed.
pub fn parse_client_ids(text: &str) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for id in text.split(|c: char| c == ',' || c.is_whitespace()) {
        if !id.is_empty() && !ids.iter().any(|known| known == id) {
            ids.push(id.to_owned());
        }
    }
    ids
}

impl Workspace {
    /// The environment with this name.
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// Every secret the workspace refers to.
    pub fn secret_refs(&self) -> BTreeSet<&SecretRef> {
        let envs = self.environments.iter().filter_map(|e| e.client_secret.as_ref());
        let forms = self.forms.iter().flat_map(|f| f.secrets.values());
        envs.chain(forms)
            .chain(self.local_tenant.signing_key.as_ref())
            .collect()
    }

    /// Where a keyring item is used, as readable labels ("environment dev", "form refresh-demo").
    pub fn uses_of(&self, name: &str) -> Vec<String> {
        let matches = |r: &Option<SecretRef>| r.as_ref().is_some_and(|r| r.keyring == name);
        let mut uses: Vec<String> = self
            .environments
            .iter()
            .filter(|e| matches(&e.client_secret))
            .map(|e| format!("environment {}", e.name))
            .collect();
        uses.extend(
            self.forms
                .iter()
                .filter(|f| f.secrets.values().any(|r| r.keyring == name))
                .map(|f| format!("form {}", f.name)),
        );
        if matches(&self.local_tenant.signing_key) {
            uses.push("local tenant signing key".to_owned());
        }
        uses
    }

    /// Checks a workspace read from a file: every environment (as the form would, against the ones before it)
    /// and every keyring reference. One line per problem, naming the environment or reference and the field;
    /// names from the file are printed escaped.
    pub fn validate(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .environments
            .iter()
            .enumerate()
            .flat_map(|(i, env)| {
                env.validate(&self.environments[..i])
                    .into_iter()
                    .map(move |e| format!("environment {:?}: {}: {}", env.name, e.field, e.message))
            })
            .collect();
        for reference in self.secret_refs() {
            if let Err(e) = validate_item_name(&reference.keyring) {
                problems.push(format!("keyring reference {:?}: {e}", reference.keyring));
            }
        }
        problems
    }

    /// References whose keyring item is in `existing` (an import will use those items as they are).
    pub fn present_secrets(&self, existing: &[String]) -> Vec<String> {
        self.secret_refs()
            .into_iter()
            .filter(|r| existing.contains(&r.keyring))
            .map(|r| r.keyring.clone())
            .collect()
    }

    /// References whose keyring item is not in `existing` (listed after an import, never invented).
    pub fn missing_secrets(&self, existing: &[String]) -> Vec<String> {
        self.secret_refs()
            .into_iter()
            .filter(|r| !existing.contains(&r.keyring))
            .map(|r| r.keyring.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev() -> Environment {
        Environment {
            name: "dev".into(),
            base_url: Some("https://dev.auth0.com".into()),
            client_id: "abc".into(),
            client_secret: Some(SecretRef::new("client_secret/dev/abc")),
            ..Environment::default()
        }
    }

    #[test]
    fn known_clients_are_the_default_then_the_others_each_once() {
        assert_eq!(parse_client_ids(" a, b  c,,a\tb "), ["a", "b", "c"]);
        let env = Environment {
            client_ids: parse_client_ids("other abc"),
            ..dev()
        };
        let known = env.known_clients();
        assert_eq!(
            known,
            [
                ("abc".to_owned(), "default".to_owned()),
                ("other".to_owned(), String::new())
            ]
        );
        let old: Environment = serde_json::from_str(r#"{"name":"dev","client_id":"abc"}"#).unwrap();
        assert!(old.client_ids.is_empty());
    }

    #[test]
    fn an_environment_from_an_older_file_verifies_tls_and_only_a_switched_off_one_warns() {
        let old: Environment = serde_json::from_str(r#"{"name":"dev","base_url":"https://dev.auth0.com"}"#).unwrap();
        assert!(old.verify_tls);
        assert_eq!(old.tls_warning(), None);
        let off = Environment {
            verify_tls: false,
            ..dev()
        };
        assert_eq!(
            off.tls_warning().unwrap(),
            "TLS verification is off for dev: anyone on the network path can read and change these requests"
        );
    }

    #[test]
    fn every_error_is_returned_at_once() {
        let env = Environment {
            base_url: Some("nope".into()),
            ..Environment::default()
        };
        let fields: Vec<_> = env.validate(&[]).into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "base_url"]);
        assert_eq!(dev().validate(&[dev()])[0].field, "name");
        assert!(dev().validate(&[]).is_empty());
    }

    #[test]
    fn missing_references_are_listed_and_uses_are_named() {
        let ws = Workspace {
            environments: vec![dev()],
            ..Workspace::default()
        };
        assert_eq!(ws.missing_secrets(&[]), vec!["client_secret/dev/abc"]);
        assert!(ws.missing_secrets(&["client_secret/dev/abc".into()]).is_empty());
        assert_eq!(ws.uses_of("client_secret/dev/abc"), vec!["environment dev"]);
    }

    #[test]
    fn a_workspace_from_a_file_lists_every_invalid_environment_and_reference() {
        let plain_http = Environment {
            name: "prod".into(),
            base_url: Some("http://prod.example.com".into()),
            ..Environment::default()
        };
        let bad_ref = Environment {
            name: "odd".into(),
            client_secret: Some(SecretRef::new("client_secret/\u{7}")),
            ..dev()
        };
        let ws = Workspace {
            environments: vec![dev(), plain_http, dev(), bad_ref],
            ..Workspace::default()
        };
        let problems = ws.validate();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(
            problems[0].starts_with("environment \"prod\": base_url: use https://"),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("environment \"dev\": name: another"),
            "{problems:?}"
        );
        assert!(
            problems[2].contains("\"client_secret/\\u{7}\": the name contains control"),
            "{problems:?}"
        );
        let loopback = Environment {
            base_url: Some("http://127.0.0.1:8080".into()),
            ..dev()
        };
        let ok = Workspace {
            environments: vec![loopback],
            ..Workspace::default()
        };
        assert!(ok.validate().is_empty());
        assert_eq!(
            ok.present_secrets(&["client_secret/dev/abc".into()]),
            vec!["client_secret/dev/abc"]
        );
    }

    #[test]
    fn serialised_workspace_holds_references_only() {
        let ws = Workspace {
            environments: vec![dev()],
            ..Workspace::default()
        };
        let json = serde_json::to_string(&ws).unwrap();
        assert!(
            json.contains(r#""client_secret":{"keyring":"client_secret/dev/abc"}"#),
            "{json}"
        );
    }
}
