//! A faithful local stand-in for the vendor APIs: their sign-in, reads, updates, validation and
//! error formats, served over real HTTP on 127.0.0.1. Tests and the app's Practice connection
//! use it; `switchboard-sandbox` runs it on its own for manual testing.
//!
//! Each vendor lives under its own path prefix (`/avepoint/identity`, `/avepoint/graph`, ...) so
//! that vendors' paths never collide and a client sees the prefix as part of its base URL.

pub mod avepoint;
#[cfg(feature = "test-hooks")]
mod faults;
mod host;
pub mod msp360;
pub mod partner_center;
pub mod people;
#[cfg(feature = "test-hooks")]
mod recorder;
pub mod softwareone;

use std::net::SocketAddr;
use std::sync::Arc;
#[cfg(feature = "test-hooks")]
use std::sync::Mutex;
use tokio::sync::oneshot;

#[cfg(feature = "test-hooks")]
pub use faults::Faults;
#[cfg(feature = "test-hooks")]
pub use recorder::RecordedRequest;

/// The Practice connection's client id. Not a secret: it only opens this sandbox.
pub const PRACTICE_CLIENT_ID: &str = "switchboard-practice";
/// The Practice connection's client secret. Not a real credential: it only opens this sandbox.
pub const PRACTICE_CLIENT_SECRET: &str = "practice-secret-for-the-local-sandbox";
/// A registered app that may read users but not change them (for permission tests).
pub const READ_ONLY_CLIENT_ID: &str = "switchboard-read-only";
pub const READ_ONLY_CLIENT_SECRET: &str = "read-only-secret-for-the-local-sandbox";
/// A registered app that signs in with the practice certificate (`data/practice-client.pem`,
/// or `data/practice-client.pfx` with the password `practice`).
pub const CERTIFICATE_CLIENT_ID: &str = "switchboard-practice-certificate";
/// The practice certificate and its key, PEM. Not a credential: it only opens this sandbox.
pub const PRACTICE_CERTIFICATE_PEM: &str = include_str!("../data/practice-client.pem");
pub const PRACTICE_CERTIFICATE_PFX: &[u8] = include_bytes!("../data/practice-client.pfx");
pub const PRACTICE_CERTIFICATE_PFX_PASSWORD: &str = "practice";

/// Everything the sandbox holds; tests reach it through [`Sandbox::state`].
#[derive(Default)]
pub struct SandboxState {
    pub avepoint: avepoint::AvePointState,
    pub softwareone: softwareone::State,
    pub partner_center: partner_center::PartnerCenterState,
    pub msp360: msp360::State,
    #[cfg(feature = "test-hooks")]
    requests: Mutex<Vec<RecordedRequest>>,
    #[cfg(feature = "test-hooks")]
    faults: Mutex<faults::FaultState>,
}

/// Test hooks (feature `test-hooks`): what the sandbox received, and faults to inject.
#[cfg(feature = "test-hooks")]
impl SandboxState {
    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.lock().unwrap().clone()
    }

    pub fn clear_requests(&self) {
        self.requests.lock().unwrap().clear();
    }

    /// Replaces the fault switches (all off by default).
    pub fn set_faults(&self, faults: Faults) {
        *self.faults.lock().unwrap() = faults::FaultState { faults, seen: 0, bucket: None };
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    address: SocketAddr,
    state: Arc<SandboxState>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Sandbox {
    /// Starts on 127.0.0.1 on a free port, seeded with the sample customers and users.
    pub async fn start() -> std::io::Result<Sandbox> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub async fn start_on(address: SocketAddr) -> std::io::Result<Sandbox> {
        let state = Arc::new(SandboxState::default());
        let listener = tokio::net::TcpListener::bind(address).await?;
        let address = listener.local_addr()?;
        let app = axum::Router::new()
            .nest("/avepoint", avepoint::routes())
            .nest("/softwareone", softwareone::routes())
            .merge(partner_center::routes())
            .nest("/msp360", msp360::routes());
        #[cfg(feature = "test-hooks")]
        let app = app
            .layer(axum::middleware::from_fn_with_state(state.clone(), faults::inject))
            .layer(axum::middleware::from_fn_with_state(state.clone(), recorder::record));
        // Outermost: a request for another host name (DNS rebinding) gets no further.
        let app = app
            .layer(axum::middleware::from_fn_with_state(Arc::new(host::Allowed::for_address(address)), host::check))
            .with_state(state.clone());
        let (shutdown, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(error) = server.await {
                log::error!("sandbox stopped: {error}");
            }
        });
        Ok(Sandbox { address, state, shutdown: Some(shutdown) })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The base URL a client uses as AvePoint's API host.
    pub fn avepoint_api_url(&self) -> String {
        format!("{}/avepoint/graph", self.url())
    }

    /// The base URL a client uses as MSP360's API host (`/api/...` is appended).
    pub fn msp360_url(&self) -> String {
        format!("{}/msp360", self.url())
    }

    /// The base URL a client uses as AvePoint's identity host (`/connect/token` is appended).
    pub fn avepoint_identity_url(&self) -> String {
        format!("{}/avepoint/identity", self.url())
    }

    /// The base URL a client uses as Partner Center's API host (`/v1/...` is appended).
    pub fn partner_center_api_url(&self) -> String {
        format!("{}/partner-center", self.url())
    }

    /// The base URL a client uses as the Entra ID authority (`/{tenant}/oauth2/v2.0/...` is appended).
    pub fn entra_url(&self) -> String {
        format!("{}/entra", self.url())
    }

    /// The base URL a client uses as SoftwareOne's API host (`/public/v1/...` is appended).
    pub fn softwareone_url(&self) -> String {
        format!("{}/softwareone", self.url())
    }

    pub fn state(&self) -> &Arc<SandboxState> {
        &self.state
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}
