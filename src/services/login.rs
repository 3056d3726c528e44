//! Signing in through the system browser (RFC 8252): a loopback listener on a free port takes the one
//! callback, the browser is opened on the tenant's `/authorize` (`$BROWSER` when set, else the desktop's
//! opener), and the code is exchanged for tokens. The window and `tokenbench login` both run this.

use crate::core::auth0::login::{Attempt, CALLBACK_PATH, CallbackError, Login, read_callback};
use crate::core::http::{HttpAnswer, HttpError};
use crate::services::http;
use axum::Router;
use axum::extract::RawQuery;
use axum::response::Html;
use axum::routing::get;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;

/// Why a sign-in ended without tokens.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    /// The loopback listener could not start.
    #[error("cannot listen for the browser's answer on 127.0.0.1 ({0}); check the machine's firewall")]
    Listen(std::io::Error),
    /// The browser could not be opened.
    #[error("cannot open a browser ({0}): open the URL above yourself, or set $BROWSER")]
    Browser(String),
    /// Nobody came back in time.
    #[error("no answer from the browser in {0} s: sign in within the time, or raise --wait")]
    Timeout(u64),
    /// The callback had no code.
    #[error(transparent)]
    Callback(#[from] CallbackError),
    /// No random values for PKCE.
    #[error("the system's random source failed: PKCE needs it; try again")]
    Random,
    /// The code exchange got no answer.
    #[error("the code exchange failed: {0}")]
    Http(#[from] HttpError),
}

/// How the authorize URL reaches a browser.
pub enum Opener {
    /// `$BROWSER`, else `xdg-open` / `open` / `start`.
    System,
    /// Nobody: the caller shows the URL (`--no-browser`).
    Print,
}

/// Where the browser must come back: `http://127.0.0.1:PORT/callback`.
pub struct Listener {
    listener: tokio::net::TcpListener,
    /// The redirect URI to register and send.
    pub redirect_uri: String,
}

impl Listener {
    /// Binds a free loopback port.
    pub async fn bind() -> Result<Self, LoginError> {
        let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(LoginError::Listen)?;
        let port = listener.local_addr().map_err(LoginError::Listen)?.port();
        Ok(Self {
            listener,
            redirect_uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
        })
    }
}

/// Runs one sign-in: opens `login`'s authorize URL, waits up to `wait` for the callback, exchanges the code.
/// `show` gets the URL first (the CLI prints it; the window shows it).
pub async fn sign_in(
    login: &Login,
    listener: Listener,
    opener: Opener,
    wait: Duration,
    show: impl FnOnce(&str),
) -> Result<HttpAnswer, LoginError> {
    let attempt = fresh_attempt()?;
    let url = login.authorize_url(&attempt, &listener.redirect_uri);
    show(&url);
    let redirect_uri = listener.redirect_uri.clone();
    let (sender, receiver) = oneshot::channel::<String>();
    // Stopped however this function ends, also when its caller drops it (the window's Cancel): the loopback
    // port is free again at once. Kept until the end so the browser gets its "signed in" page in full.
    let _server = AbortOnDrop(tokio::spawn(serve_once(listener.listener, sender)));
    if let Opener::System = opener {
        open_browser(&url).map_err(LoginError::Browser)?;
    }
    let query = tokio::time::timeout(wait, receiver).await;
    let query = match query {
        Ok(Ok(query)) => query,
        _ => return Err(LoginError::Timeout(wait.as_secs())),
    };
    let code = read_callback(&query, &attempt)?;
    let client = http::client()?;
    let request = login.token_request(&code, &attempt, &redirect_uri, Duration::from_secs(30));
    Ok(http::send(&client, &request).await?)
}

/// Aborts the task when dropped: a spawned task otherwise outlives the future that spawned it.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Answers `GET /callback` once with a page saying the window can be closed, and hands its query over.
async fn serve_once(listener: tokio::net::TcpListener, sender: oneshot::Sender<String>) {
    let sender = Arc::new(Mutex::new(Some(sender)));
    let app = Router::new().route(
        CALLBACK_PATH,
        get(move |RawQuery(query): RawQuery| async move {
            let taken = sender.lock().ok().and_then(|mut s| s.take());
            if let Some(sender) = taken {
                let _ = sender.send(query.unwrap_or_default());
            }
            Html(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>tokenbench</title></head>\
                 <body><h1>Signed in</h1><p>You can close this window and go back to tokenbench.</p></body></html>",
            )
        }),
    );
    let _ = axum::serve(listener, app).await;
}

fn fresh_attempt() -> Result<Attempt, LoginError> {
    let mut verifier = [0u8; 32];
    let mut state = [0u8; 16];
    let mut nonce = [0u8; 16];
    for bytes in [&mut verifier[..], &mut state[..], &mut nonce[..]] {
        aws_lc_rs::rand::fill(bytes).map_err(|_| LoginError::Random)?;
    }
    Ok(Attempt::from_random(&verifier, &state, &nonce))
}

/// Opens `url` in `$BROWSER` or the desktop's default browser, without waiting for it.
pub fn open_browser(url: &str) -> Result<(), String> {
    let browser = std::env::var("BROWSER").ok().filter(|b| !b.trim().is_empty());
    let (program, mut args): (String, Vec<String>) = match browser {
        Some(program) => (program, Vec::new()),
        None if cfg!(target_os = "macos") => ("open".to_owned(), Vec::new()),
        None if cfg!(target_os = "windows") => ("cmd".to_owned(), vec!["/c".into(), "start".into(), String::new()]),
        None => ("xdg-open".to_owned(), Vec::new()),
    };
    args.push(url.to_owned());
    std::process::Command::new(&program)
        .args(&args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn()
        .map(|mut child| {
            // Reaped on its own thread: the browser may outlive this call by far.
            std::thread::spawn(move || child.wait());
        })
        .map_err(|e| format!("{program}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::auth0::login::{DEFAULT_SCOPE, LoginRequest};

    #[tokio::test]
    async fn dropping_a_sign_in_frees_its_loopback_port() {
        let request = LoginRequest {
            base_url: "http://127.0.0.1:9".into(),
            client_id: "demo-spa".into(),
            audience: None,
            scope: DEFAULT_SCOPE.into(),
        };
        let login = request.validate().unwrap();
        let listener = Listener::bind().await.unwrap();
        let addr = listener.listener.local_addr().unwrap();
        let (shown, opened) = oneshot::channel::<()>();
        let running = tokio::spawn(async move {
            let wait = Duration::from_secs(60);
            sign_in(&login, listener, Opener::Print, wait, |_| {
                let _ = shown.send(());
            })
            .await
        });
        opened.await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        running.abort();
        assert!(running.await.unwrap_err().is_cancelled());
        let deadline = std::time::Instant::now() + Duration::from_secs(5);
        while tokio::net::TcpListener::bind(addr).await.is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "{addr} is still taken after the sign-in was dropped"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
