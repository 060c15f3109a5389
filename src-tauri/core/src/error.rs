//! The one error type. It crosses the IPC seam as `{ code, message, field?, fieldErrors, vendorMessage? }`;
//! the UI switches on `code` (stable, snake_case) and shows `message` (plain language).

use serde::Serialize;
use ts_rs::TS;

/// Stable codes the UI and scripts can switch on. Renaming one is a breaking change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The input broke a field rule; nothing was sent.
    InvalidInput,
    /// A connection setting (URL, id) is unusable; nothing was sent.
    InvalidConnection,
    /// The vendor could not be reached (DNS, refused, TLS, timeout).
    Unreachable,
    /// The vendor rejected the saved sign-in (client id, secret, scope).
    SignInRejected,
    /// Signed in, but the app registration lacks a permission.
    Forbidden,
    /// The customer, tenant or user does not exist (any more).
    NotFound,
    /// The vendor refused the request as invalid (HTTP 400).
    VendorRejected,
    /// The vendor asks us to slow down (HTTP 429).
    RateLimited,
    /// The vendor failed on its side (HTTP 5xx).
    VendorUnavailable,
    /// The vendor answered with something we cannot read.
    MalformedResponse,
    /// The vendor's answer was larger than Switchboard reads; it was not read.
    ResponseTooLarge,
    /// The OS keychain is missing, locked or refused; no secret was stored elsewhere.
    KeychainUnavailable,
    /// The saved connections could not be read or written.
    ProfileStorage,
    /// The connection has no saved secret yet.
    SecretMissing,
    /// The record changed at the vendor after the change was reviewed; nothing was sent.
    ChangedSinceReview,
    /// A bug or an unexpected state in Switchboard itself.
    Internal,
}

/// One broken field rule: which field, and what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FieldError {
    /// The vendor's JSON key, e.g. `mail`.
    pub field: String,
    /// A full sentence naming the field and what is allowed.
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(rename = "AppError")]
pub struct Error {
    pub code: ErrorCode,
    pub message: String,
    /// The field at fault, when there is exactly one.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every broken field rule, for inline messages.
    pub field_errors: Vec<FieldError>,
    /// The vendor's own words (status and message), kept for support. Never holds a secret.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor_message: Option<String>,
    /// The vendor's reference for the failed request (request id, trace id), for support.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl Error {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
            field: None,
            field_errors: Vec::new(),
            vendor_message: None,
            reference: None,
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::Internal, message)
    }

    /// An error for one or more broken field rules.
    pub fn invalid_fields(errors: Vec<FieldError>) -> Self {
        let message = match errors.as_slice() {
            [only] => only.message.clone(),
            _ => format!("{} fields need attention.", errors.len()),
        };
        Error {
            code: ErrorCode::InvalidInput,
            message,
            field: match errors.as_slice() {
                [only] => Some(only.field.clone()),
                _ => None,
            },
            field_errors: errors,
            vendor_message: None,
            reference: None,
        }
    }

    /// Marks one field as the cause, with the message shown beside it.
    pub fn with_field(mut self, field: &str, message: String) -> Self {
        self.field = Some(field.to_string());
        self.field_errors = vec![FieldError { field: field.to_string(), message }];
        self
    }

    pub fn with_vendor_message(mut self, vendor_message: impl Into<String>) -> Self {
        self.vendor_message = Some(vendor_message.into());
        self
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_stable_code_and_camel_case_keys() {
        let error = Error::invalid_fields(vec![FieldError {
            field: "mail".into(),
            message: "Email must be an email address.".into(),
        }]);
        let json = serde_json::to_value(&error).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "invalid_input",
                "message": "Email must be an email address.",
                "field": "mail",
                "fieldErrors": [{"field": "mail", "message": "Email must be an email address."}]
            })
        );
    }

    #[test]
    fn several_field_errors_name_no_single_field() {
        let error = Error::invalid_fields(vec![
            FieldError { field: "a".into(), message: "A".into() },
            FieldError { field: "b".into(), message: "B".into() },
        ]);
        assert_eq!(error.field, None);
        assert_eq!(error.message, "2 fields need attention.");
    }
}
