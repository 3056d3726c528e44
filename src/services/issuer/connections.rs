//! Dropping a connection on purpose, for the "dropped connection" fault. axum answers every request, so the
//! listener wraps each accepted stream: once a handler marks its peer's connection, every later read and
//! write fails, hyper gives the connection up without sending a byte, and the client sees it close.

use axum::serve::Listener;
use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The open connections, by peer address.
#[derive(Debug, Default)]
pub struct Connections {
    open: Mutex<HashMap<SocketAddr, Arc<AtomicBool>>>,
}

impl Connections {
    fn lock(&self) -> MutexGuard<'_, HashMap<SocketAddr, Arc<AtomicBool>>> {
        // Nothing panics while holding this lock; the map stays consistent.
        self.open.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Makes `peer`'s connection fail from now on; false when no such connection is open (e.g. a request
    /// handed to the router without a socket).
    pub fn drop_connection(&self, peer: SocketAddr) -> bool {
        self.lock().get(&peer).is_some_and(|dropped| {
            dropped.store(true, Ordering::SeqCst);
            true
        })
    }
}

/// A TCP listener whose connections can be dropped.
pub struct DroppingListener {
    inner: TcpListener,
    connections: Arc<Connections>,
}

impl DroppingListener {
    /// Wraps `inner`; handlers reach its connections through `connections`.
    pub fn new(inner: TcpListener, connections: Arc<Connections>) -> Self {
        Self { inner, connections }
    }
}

impl Listener for DroppingListener {
    type Io = DroppableStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (inner, peer) = Listener::accept(&mut self.inner).await;
        let dropped = Arc::new(AtomicBool::new(false));
        self.connections.lock().insert(peer, dropped.clone());
        let stream = DroppableStream {
            inner,
            peer,
            dropped,
            connections: self.connections.clone(),
        };
        (stream, peer)
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

/// An accepted stream that fails every read and write once dropped.
pub struct DroppableStream {
    inner: TcpStream,
    peer: SocketAddr,
    dropped: Arc<AtomicBool>,
    connections: Arc<Connections>,
}

impl DroppableStream {
    fn check(&self) -> io::Result<()> {
        if self.dropped.load(Ordering::SeqCst) {
            Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "dropped by an injected fault",
            ))
        } else {
            Ok(())
        }
    }
}

impl Drop for DroppableStream {
    fn drop(&mut self) {
        self.connections.lock().remove(&self.peer);
    }
}

impl AsyncRead for DroppableStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for DroppableStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}
