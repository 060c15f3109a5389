//! Connections as the UI lists them. Saved profiles (issue: profiles) will add more kinds; for
//! now the built-in Practice connection points at the in-process sandbox.

use crate::avepoint::UserTarget;
use serde::Serialize;
use ts_rs::TS;

/// A connection the user can pick. Holds no secret.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionSummary {
    pub id: String,
    pub name: String,
    pub vendor: String,
    /// One sentence on where this connection goes.
    pub description: String,
    pub is_practice: bool,
    /// A user that exists behind this connection, to try things with (Practice only).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample_target: Option<UserTarget>,
}
