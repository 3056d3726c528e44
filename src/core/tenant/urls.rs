//! Auth0's rules for the URLs an application registers (login-flow spec §1.2, §5.1.3): Allowed Callback URLs
//! match exactly (scheme and host without regard to case, path with it, fragments never), `*` stands for one
//! left-most subdomain label of an http(s) URL, and a loopback IP callback may match on any port when the
//! tenant says so (RFC 8252 §7.3). Logout URLs ignore the query and fragment of what is asked for.

use url::{Host, Url};

/// How a URL is compared with a registered one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchRules {
    /// A loopback IP callback matches on any port.
    pub loopback_any_port: bool,
    /// The query of the requested URL is left out (logout URLs).
    pub ignore_query: bool,
}

/// Whether `requested` is allowed by `registered` (one list entry).
pub fn url_matches(registered: &str, requested: &str, rules: MatchRules) -> bool {
    let (Ok(allowed), Ok(asked)) = (Url::parse(registered.trim()), Url::parse(requested)) else {
        return false;
    };
    if asked.fragment().is_some() || !asked.username().is_empty() || asked.password().is_some() {
        return false;
    }
    // A path the parser rewrote (`%2e%2e`, `/./`, `\`) is not the path that was registered, whatever it
    // resolves to.
    if written_path(requested) != Some(asked.path()) {
        return false;
    }
    let query_ok = rules.ignore_query || allowed.query() == asked.query();
    allowed.scheme() == asked.scheme()
        && allowed.path() == asked.path()
        && query_ok
        && host_matches(&allowed, &asked, registered)
        && (allowed.port_or_known_default() == asked.port_or_known_default()
            || (rules.loopback_any_port && is_loopback_ip(&asked) && is_loopback_ip(&allowed)))
}

/// Whether `origin` (`scheme://host[:port]`, as a browser sends it) is the origin of `registered`, a URL or
/// an origin from an application's lists.
pub fn origin_matches(registered: &str, origin: &str) -> bool {
    let (Ok(allowed), Ok(asked)) = (Url::parse(registered.trim()), Url::parse(origin)) else {
        return false;
    };
    let bare = asked.path() == "/" && asked.query().is_none() && asked.fragment().is_none();
    bare && asked.username().is_empty()
        && allowed.scheme() == asked.scheme()
        && allowed.port_or_known_default() == asked.port_or_known_default()
        && host_matches(&allowed, &asked, registered)
}

/// The origin of a URL, `scheme://host[:port]`; `None` for URLs without one (custom schemes).
pub fn origin_of(url: &str) -> Option<String> {
    let parsed = Url::parse(url).ok()?;
    let origin = parsed.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

/// Why a registered URL cannot be used, for the tenant check; `None` when it can.
pub fn registered_url_problem(registered: &str) -> Option<String> {
    let url = match Url::parse(registered.trim()) {
        Ok(url) => url,
        Err(e) => return Some(format!("\"{registered}\" is not a URL ({e}): write it with its scheme")),
    };
    let stars = registered.matches('*').count();
    let host = url.host_str().unwrap_or_default();
    let web = matches!(url.scheme(), "http" | "https");
    if url.fragment().is_some() {
        return Some(format!(
            "\"{registered}\" has a fragment (#…): Auth0 never matches one, remove it"
        ));
    }
    if stars > 1 || (stars == 1 && (!web || !wildcard_label(host).is_some_and(|l| l.contains('*')))) {
        return Some(format!(
            "\"{registered}\": a * may only stand in the left-most subdomain label of an http(s) URL, once"
        ));
    }
    None
}

fn host_matches(allowed: &Url, asked: &Url, registered: &str) -> bool {
    let (Some(pattern), Some(host)) = (allowed.host_str(), asked.host_str()) else {
        return allowed.host().is_none() && asked.host().is_none();
    };
    // `Url` lowercases hosts but percent-encodes a `*`; read the label from the text as written.
    if !registered.contains('*') {
        return pattern.eq_ignore_ascii_case(host);
    }
    let Some(written) = written_host(registered) else {
        return false;
    };
    let Some((label, rest)) = written.split_once('.') else {
        return false;
    };
    let Some((asked_label, asked_rest)) = host.split_once('.') else {
        return false;
    };
    let Some((prefix, suffix)) = label.split_once('*') else {
        return false;
    };
    rest.eq_ignore_ascii_case(asked_rest)
        && asked_label.len() >= prefix.len() + suffix.len()
        && asked_label[..prefix.len()].eq_ignore_ascii_case(prefix)
        && asked_label[asked_label.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// The host of a registered URL as written (`*` kept), lowercased.
fn written_host(registered: &str) -> Option<String> {
    let after_scheme = registered.trim().split_once("://")?.1;
    let authority = after_scheme.split(['/', '?']).next()?;
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split(':').next()?;
    Some(host.to_ascii_lowercase())
}

/// The path of a URL as written, between the authority and the query.
fn written_path(url: &str) -> Option<&str> {
    let after_scheme = url.split_once("://")?.1;
    let start = after_scheme.find(['/', '?', '#']).unwrap_or(after_scheme.len());
    let rest = &after_scheme[start..];
    let path = rest.split(['?', '#']).next().unwrap_or_default();
    Some(if path.is_empty() { "/" } else { path })
}

fn wildcard_label(host: &str) -> Option<&str> {
    let decoded = host.split('.').next()?;
    (host.split('.').count() >= 3).then_some(decoded)
}

fn is_loopback_ip(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXACT: MatchRules = MatchRules {
        loopback_any_port: false,
        ignore_query: false,
    };

    #[test]
    fn callbacks_match_exactly_with_case_free_scheme_and_host() {
        let cb = "https://app.example.com/callback";
        assert!(url_matches(cb, "HTTPS://App.Example.com/callback", EXACT));
        for other in [
            "https://app.example.com/Callback",
            "https://app.example.com/callback/",
            "https://app.example.com:8443/callback",
            "http://app.example.com/callback",
            "https://app.example.com/callback?x=1",
            "https://app.example.com/callback#x",
            "https://app.example.com@evil.test/callback",
            "https://evil.test@app.example.com/callback",
            "https://app.example.com.evil.test/callback",
            "https://app.example.com/%63allback",
            "https://app.example.com/x/../callback",
            "https://app.example.com/%2e/callback",
            "https://app.example.com\\callback",
        ] {
            assert!(!url_matches(cb, other, EXACT), "{other} must not match");
        }
    }

    #[test]
    fn a_wildcard_stands_for_one_label() {
        let cb = "https://pre-*-suf.example.com/cb";
        assert!(url_matches(cb, "https://pre-x-suf.example.com/cb", EXACT));
        assert!(url_matches(cb, "https://pre--suf.example.com/cb", EXACT));
        assert!(!url_matches(cb, "https://pre-a.b-suf.example.com/cb", EXACT));
        assert!(!url_matches(cb, "https://x.pre-a-suf.example.com/cb", EXACT));
        assert!(!url_matches(cb, "https://pre-a-suf.evil.com/cb", EXACT));
        assert!(registered_url_problem("https://*.*.example.com/").is_some());
        assert!(registered_url_problem("myapp://*.example.com/").is_some());
        assert!(registered_url_problem("https://*.example.com/cb").is_none());
    }

    #[test]
    fn loopback_ports_match_only_when_the_tenant_says_so() {
        let cb = "http://127.0.0.1/callback";
        let any = MatchRules {
            loopback_any_port: true,
            ..EXACT
        };
        assert!(!url_matches(cb, "http://127.0.0.1:53117/callback", EXACT));
        assert!(url_matches(cb, "http://127.0.0.1:53117/callback", any));
        assert!(!url_matches(
            "http://localhost/callback",
            "http://localhost:5000/callback",
            any
        ));
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert!(origin_matches("http://127.0.0.1:3000/", "http://127.0.0.1:3000"));
        assert!(origin_matches("http://127.0.0.1:3000/cb?x", "http://127.0.0.1:3000"));
        assert!(!origin_matches("http://127.0.0.1:3000", "http://127.0.0.1:3001"));
        assert!(!origin_matches("http://127.0.0.1:3000", "https://127.0.0.1:3000"));
        assert_eq!(
            origin_of("http://127.0.0.1:3000/cb").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(origin_of("myapp://cb"), None);
    }
}
