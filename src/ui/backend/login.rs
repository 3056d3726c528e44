//! Browser sign-ins for the window: `services::login` on the backend's runtime, reporting the authorize URL
//! as soon as it is known and the code exchange's answer at the end. The browser is opened here rather than
//! by the service, so a machine without one still gets the URL to open by hand while the sign-in waits.

use super::Outbox;
use crate::core::auth0::login::Login;
use crate::core::http::HttpAnswer;
use crate::services::login::{self, Listener, LoginError, Opener};
use crate::ui::command::{Event, HttpEvent, RequestId, SignInOwner};
use std::time::Duration;

/// What one sign-in needs.
pub struct SignInJob {
    /// The sign-in, for cancel and for matching the answer.
    pub id: RequestId,
    /// Who gets the answer.
    pub owner: SignInOwner,
    /// The checked request.
    pub login: Login,
    /// How long to wait for the browser.
    pub wait: Duration,
}

/// Runs one sign-in and reports `SignInOpened`, then `SignInFinished`. Dropping this future (Cancel) frees
/// the loopback port.
pub async fn sign_in(job: SignInJob, out: Outbox) {
    let (id, owner) = (job.id, job.owner);
    let result = run(&job, &out).await.map_err(|e| e.to_string());
    out.send(Event::Http(HttpEvent::SignInFinished { id, owner, result }));
}

async fn run(job: &SignInJob, out: &Outbox) -> Result<HttpAnswer, LoginError> {
    let listener = Listener::bind().await?;
    let (id, owner) = (job.id, job.owner);
    let opened = |url: &str| {
        let browser = login::open_browser(url);
        let url = url.to_owned();
        out.send(Event::Http(HttpEvent::SignInOpened {
            id,
            owner,
            url,
            browser,
        }));
    };
    login::sign_in(&job.login, listener, Opener::Print, job.wait, opened).await
}
