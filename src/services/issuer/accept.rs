//! The issuer's accept loop, in place of `axum::serve`: the same per-connection service with the caller's
//! address, but hyper's HTTP/1 connection gets a timer, so a client must send a request's whole header within
//! the header timeout (idle keep-alive connections included) or lose the connection. A client that sends half
//! a header no longer holds a socket forever. Stopping waits for the requests in flight.

use super::connections::DroppingListener;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;
use tokio::sync::watch;
use tower_service::Service;

/// Serves `router` on `listener` until `stop` completes, then lets open requests finish.
pub async fn serve(
    mut listener: DroppingListener,
    router: Router,
    header_timeout: Duration,
    stop: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let (stopping, stop_signal) = watch::channel(false);
    let (finished, open) = watch::channel(());
    let mut stop = pin!(stop);
    loop {
        let (io, peer) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let connection = http1(header_timeout).serve_connection(TokioIo::new(io), per_connection(router.clone(), peer));
        let mut stop_signal = stop_signal.clone();
        let open = open.clone();
        tokio::spawn(async move {
            let mut connection = pin!(connection);
            loop {
                tokio::select! {
                    _ = connection.as_mut() => break,
                    changed = stop_signal.changed() => {
                        connection.as_mut().graceful_shutdown();
                        if changed.is_err() {
                            let _ = connection.as_mut().await;
                            break;
                        }
                    }
                }
            }
            drop(open);
        });
    }
    let _ = stopping.send(true);
    drop(open);
    finished.closed().await;
    Ok(())
}

fn http1(header_timeout: Duration) -> hyper::server::conn::http1::Builder {
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(header_timeout);
    builder
}

/// The router as a hyper service that knows the caller's address (axum's `ConnectInfo`).
fn per_connection(
    router: Router,
    peer: SocketAddr,
) -> impl hyper::service::Service<
    hyper::Request<Incoming>,
    Response = axum::response::Response,
    Error = std::convert::Infallible,
    Future = impl Future<Output = Result<axum::response::Response, std::convert::Infallible>> + Send,
> + Clone {
    hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        let mut router = router.clone();
        async move { router.call(request.map(axum::body::Body::new)).await }
    })
}
