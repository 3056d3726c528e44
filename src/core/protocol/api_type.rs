//! Auth0's `api_type` catalogue for `/delegation` (Auth0 docs, Lock and ruby-auth0 enumerations): the form
//! offers it, the local issuer accepts exactly these names.

/// One `api_type`: its name, what it produces, and the add-on parameters people usually send with it.
pub struct ApiType {
    /// The wire value.
    pub name: &'static str,
    /// One line on what comes back.
    pub description: &'static str,
    /// Free-form parameter names to suggest.
    pub suggested_params: &'static [&'static str],
}

/// The `api_type` catalogue (Auth0 docs, Lock and ruby-auth0 enumerations).
pub const API_TYPES: [ApiType; 10] = [
    ApiType {
        name: "app",
        description: "a JWT for the target application, signed with its secret",
        suggested_params: &[],
    },
    ApiType {
        name: "firebase",
        description: "a Firebase custom token (SDK v3+) or legacy v2 token",
        suggested_params: &[],
    },
    ApiType {
        name: "azure_blob",
        description: "an Azure Storage shared access signature (query string)",
        suggested_params: &["blobContainer", "blobName"],
    },
    ApiType {
        name: "azure_sb",
        description: "an Azure Service Bus shared access signature",
        suggested_params: &[],
    },
    ApiType {
        name: "aws",
        description: "temporary AWS STS credentials for a role",
        suggested_params: &["role", "principal"],
    },
    ApiType {
        name: "salesforce_api",
        description: "a Salesforce access token (JWT bearer flow)",
        suggested_params: &["community_name", "community_url_section"],
    },
    ApiType {
        name: "salesforce_sandbox_api",
        description: "a Salesforce sandbox access token",
        suggested_params: &["community_name", "community_url_section"],
    },
    ApiType {
        name: "sap_api",
        description: "an SAP OData access token (SAML bearer flow)",
        suggested_params: &[],
    },
    ApiType {
        name: "wams",
        description: "a Windows Azure Mobile Services token",
        suggested_params: &[],
    },
    ApiType {
        name: "layer",
        description: "a Layer identity token",
        suggested_params: &[],
    },
];

/// Every name, comma-separated, for messages: "app, firebase, …".
pub fn api_type_names() -> String {
    let names: Vec<&str> = API_TYPES.iter().map(|a| a.name).collect();
    names.join(", ")
}

/// The catalogue entry for a name.
pub fn api_type(name: &str) -> Option<&'static ApiType> {
    API_TYPES.iter().find(|a| a.name == name.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_listed_in_catalogue_order_and_found_trimmed() {
        assert!(api_type_names().starts_with("app, firebase, azure_blob"));
        assert!(api_type_names().ends_with("wams, layer"));
        assert_eq!(api_type(" aws ").map(|a| a.name), Some("aws"));
        assert!(api_type("auth0").is_none());
    }
}
