//! Switchboard's core: vendor clients, field definitions and validation.
//!
//! Nothing in this crate knows about Tauri or a window: the desktop shell, the tests and (later)
//! the command-line client all drive the same functions.

pub mod avepoint;
pub mod bindings;
pub mod bulk;
pub mod connection;
pub mod connection_test;
pub mod desk;
pub mod error;
pub mod fields;
pub mod files;
pub mod history;
pub mod http;
pub mod msp360;
pub mod operations;
pub mod partner_center;
pub mod people;
pub mod pickers;
pub mod plan;
pub mod profiles;
#[cfg(test)]
mod properties;
pub mod record;
pub mod reference;
pub mod secret;
pub mod secrets;
pub mod sessions;
pub mod softwareone;
pub mod vendors;

pub use error::{Error, ErrorCode, FieldError};
