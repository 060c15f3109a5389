//! The sample companies and backup users every sandbox starts with: five users in two
//! companies, one answering with the newer `LicenseManagementMode` spelling and one writing its
//! license mode as a name instead of a number.

use super::{Company, User, LICENSE_KEY, LICENSE_KEY_NEWER};

/// The first sample user: the id and login name from the vendor's docs (`testuser2`).
pub fn sample_user_id() -> &'static str {
    TESTUSER2
}

const TESTUSER2: &str = "9d6de082-741c-44fe-b067-1a36eb03fa40";
/// The user whose GET spells the key `LicenseManagementMode`.
pub const NEWER_SPELLING_USER_ID: &str = "c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f";
/// The user whose GET writes the license mode as a name (`"CompanySettings"`).
pub const NAMED_MODE_USER_ID: &str = "e8f9a0b1-c2d3-4e4f-a5b6-c7d8e9f0a1b2";

pub(super) const NORTHWIND: &str = "Northwind Traders";
pub(super) const TAILSPIN: &str = "Tailspin Toys";

#[allow(clippy::too_many_arguments)]
fn user(
    id: &str,
    login: &str,
    first: &str,
    last: &str,
    notify: &[&str],
    company: &str,
    enabled: bool,
    license_mode: u8,
) -> User {
    User {
        id: id.to_string(),
        email: login.to_string(),
        first_name: first.to_string(),
        last_name: last.to_string(),
        notification_emails: notify.iter().map(|s| s.to_string()).collect(),
        company: company.to_string(),
        enabled,
        license_mode,
        license_key: LICENSE_KEY,
        license_as_name: false,
        space_used: 52_428_800 * (license_mode as u64 + 1),
        password: format!("initial-{login}"),
    }
}

pub(super) fn users() -> Vec<User> {
    vec![
        user(TESTUSER2, "testuser2", "Test", "User", &["testuser2@northwind.example"], NORTHWIND, true, 0),
        user(
            "3f2a8c1e-5b7d-4e9a-8c6f-1d2e3f4a5b6c",
            "anna.berg@northwind.example",
            "Anna",
            "Berg",
            &["anna.berg@northwind.example", "it-alerts@northwind.example"],
            NORTHWIND,
            true,
            1,
        ),
        user(
            "7b1c2d3e-4f5a-4b6c-9d8e-0f1a2b3c4d5e",
            "backup-srv01",
            "",
            "",
            &["it-alerts@northwind.example"],
            NORTHWIND,
            false,
            2,
        ),
        User {
            license_key: LICENSE_KEY_NEWER,
            ..user(
                NEWER_SPELLING_USER_ID,
                "lucas.martin",
                "Lucas",
                "Martin",
                &["lucas.martin@tailspin.example"],
                TAILSPIN,
                true,
                1,
            )
        },
        User {
            license_as_name: true,
            ..user(NAMED_MODE_USER_ID, "reception-pc", "Reception", "PC", &[], TAILSPIN, true, 2)
        },
    ]
}

pub(super) fn companies() -> Vec<Company> {
    vec![
        Company {
            id: "5e7a1b2c-3d4e-4f50-8a9b-0c1d2e3f4a5b".to_string(),
            name: NORTHWIND.to_string(),
            storage_limit: 1_099_511_627_776,
            license_settings: 1,
        },
        Company {
            id: "6f8b2c3d-4e5f-4a61-9b0c-1d2e3f4a5b6c".to_string(),
            name: TAILSPIN.to_string(),
            storage_limit: -1,
            license_settings: 2,
        },
    ]
}
