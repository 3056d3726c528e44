//! Azure shared access signatures (Storage blob SAS query strings and Service Bus `SharedAccessSignature`
//! tokens): recognised so a pasted SAS gets its fields explained instead of a "not a JWT" error.

/// A parsed SAS with every field decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct SasToken {
    /// Storage (query string) or Service Bus.
    pub kind: SasKind,
    /// Each field in input order: name, decoded value, meaning.
    pub fields: Vec<SasField>,
}

/// The two SAS families Auth0 add-ons issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SasKind {
    /// `azure_blob`: a Storage service SAS query string.
    StorageBlob,
    /// `azure_sb`: `SharedAccessSignature sig=…&se=…&skn=…&sr=…`.
    ServiceBus,
}

/// One SAS field.
#[derive(Debug, Clone, PartialEq)]
pub struct SasField {
    /// The query parameter name.
    pub name: String,
    /// Its percent-decoded value.
    pub value: String,
    /// What it means, if known.
    pub meaning: Option<&'static str>,
}

/// Parses a SAS, or returns `None` when the text is not one.
pub fn parse_sas(text: &str) -> Option<SasToken> {
    // Every SAS carries a signature; checking for it first spares URL-decoding every JWT pasted. A JWT has
    // no `=` at all, which memchr rules out with vector instructions: in bulk, every line is tested.
    if memchr::memchr(b'=', text.as_bytes()).is_none() || !text.contains("sig=") {
        return None;
    }
    let (kind, query) = match text.strip_prefix("SharedAccessSignature") {
        Some(rest) => (SasKind::ServiceBus, rest.trim_start()),
        None => (SasKind::StorageBlob, text.split_once('?').map_or(text, |(_, q)| q)),
    };
    let fields: Vec<SasField> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(name, value)| SasField {
            meaning: meaning(&name),
            name: name.into_owned(),
            value: value.into_owned(),
        })
        .collect();
    let has = |n: &str| fields.iter().any(|f| f.name == n);
    let is_sas = has("sig") && (has("se") || has("sv"));
    is_sas.then_some(SasToken { kind, fields })
}

fn meaning(name: &str) -> Option<&'static str> {
    Some(match name {
        "sv" => "Signed version: the Storage service version the signature follows",
        "sr" => "Signed resource: b = blob, c = container (Service Bus: the resource URI)",
        "st" => "Signed start: valid from (UTC)",
        "se" => "Signed expiry: valid until (Storage: UTC time; Service Bus: Unix seconds)",
        "sp" => "Signed permissions: r read, a add, c create, w write, d delete, l list",
        "sig" => "Signature: HMAC-SHA256 of the fields with the account or policy key (base64)",
        "si" => "Signed identifier: a stored access policy on the container",
        "spr" => "Signed protocol: https or https,http",
        "sip" => "Signed IP range allowed to use the SAS",
        "skn" => "Service Bus shared access policy (key name) that signed the token",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth0_azure_blob_sample_is_parsed_field_by_field() {
        let sas = "st=2015-01-08T18%3A45%3A14Z&se=2015-01-08T18%3A50%3A14Z&sp=r&sv=2014-02-14&sr=b&sig=abc%3D";
        let parsed = parse_sas(sas).unwrap();
        assert_eq!(parsed.kind, SasKind::StorageBlob);
        let se = parsed.fields.iter().find(|f| f.name == "se").unwrap();
        assert_eq!(se.value, "2015-01-08T18:50:14Z");
        assert_eq!(parsed.fields.last().unwrap().value, "abc=");
    }

    #[test]
    fn service_bus_token_is_recognised() {
        let sas =
            "SharedAccessSignature sig=x%2By&se=14098336&skn=PolicyName&sr=http%3A%2F%2Fns.servicebus.windows.net%2Fq";
        let parsed = parse_sas(sas).unwrap();
        assert_eq!(parsed.kind, SasKind::ServiceBus);
        assert_eq!(parsed.fields[0].value, "x+y");
    }

    #[test]
    fn a_jwt_is_not_a_sas() {
        assert_eq!(parse_sas("a.b.c"), None);
    }
}
