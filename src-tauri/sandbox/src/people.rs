//! The same few people at several vendors, for the Practice connections and the People page: one
//! customer, Northwind Traders (`northwind.example`), at each vendor, its staff spelled and valued
//! the way real records drift apart, and near-misses that must not be taken for them.
//!
//! | person | AvePoint | Partner Center | SoftwareOne | MSP360 |
//! |---|---|---|---|---|
//! | Anna Berg | Anna Berg | Anna Berg | **Ana** Berg, `Anna.Berg@…` | Anna Berg (seeded already) |
//! | Tom Eriksen | Tom Eriksen | Tom Eriksen | Tom Eriksen | login `teriksen`, notified at his address |
//! | Maria Lopez | — | Maria Lopez | **María López**, `m.lopez@…` | — |
//! | near-misses | Anna Bergström | Hanna Berg | Tom Eriksson | Annabelle Berg |
//!
//! Kept apart from each vendor's seed (and added by [`SandboxState::seed_people`], which the
//! Practice sandbox calls) so the tests that count the seeded records keep their numbers.

use crate::{avepoint, msp360, partner_center, softwareone, SandboxState};

pub const DOMAIN: &str = "northwind.example";
/// AvePoint's Northwind customer and tenant.
pub const AVEPOINT_CUSTOMER: &str = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e60";
pub const AVEPOINT_TENANT: &str = "4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f71";
/// Partner Center's Northwind customer (its tenant id).
pub const PARTNER_CENTER_CUSTOMER: &str = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a82";
/// SoftwareOne's Northwind account.
pub const SOFTWAREONE_ACCOUNT: &str = "ACC-4567-8901";

/// Anna Berg's ids: (AvePoint user, Partner Center user, SoftwareOne user, MSP360 user).
pub const ANNA_BERG: (&str, &str, &str, &str) = (
    "a0000000-0000-4000-8000-00000000a001",
    "b0000000-0000-4000-8000-00000000b001",
    "USR-4567-0001",
    "3f2a8c1e-5b7d-4e9a-8c6f-1d2e3f4a5b6c",
);
/// Tom Eriksen's ids, in the same order.
pub const TOM_ERIKSEN: (&str, &str, &str, &str) = (
    "a0000000-0000-4000-8000-00000000a002",
    "b0000000-0000-4000-8000-00000000b002",
    "USR-4567-0002",
    "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6",
);

impl SandboxState {
    /// Adds Northwind's people at all four vendors (see the module docs).
    pub fn seed_people(&self) {
        self.avepoint.add_customer(avepoint_customer());
        self.partner_center.add_customer(partner_center_customer());
        self.softwareone.add_account(softwareone_account());
        for user in msp360_users() {
            self.msp360.add_user(user);
        }
    }
}

fn address(local: &str) -> String {
    format!("{local}@{DOMAIN}")
}

fn avepoint_user(id: &str, first: &str, last: &str, local: &str, location: &str, language: &str) -> avepoint::User {
    avepoint::User {
        id: id.to_string(),
        first_name: first.to_string(),
        last_name: last.to_string(),
        display_name: format!("{first} {last}"),
        login_name: address(local),
        mail: address(local),
        usage_location: location.to_string(),
        preferred_language: language.to_string(),
        enforce_start: false,
        enforce_start_date_time: "1970-01-01T00:00:00Z".to_string(),
        enforce_end: false,
        enforce_end_date_time: "1970-01-01T00:00:00Z".to_string(),
        postal_code: "111 22".to_string(),
        country_region: "Sweden".to_string(),
        state: "Stockholm".to_string(),
        address: "Drottninggatan 1".to_string(),
        city: Some("Stockholm".to_string()),
    }
}

fn avepoint_customer() -> avepoint::Customer {
    avepoint::Customer {
        id: AVEPOINT_CUSTOMER.to_string(),
        organization: "Northwind Traders".to_string(),
        tenants: vec![avepoint::Tenant {
            id: AVEPOINT_TENANT.to_string(),
            name: DOMAIN.to_string(),
            users: vec![
                avepoint_user(ANNA_BERG.0, "Anna", "Berg", "anna.berg", "SE", "sv-SE"),
                avepoint_user(TOM_ERIKSEN.0, "Tom", "Eriksen", "tom.eriksen", "NO", "nb-NO"),
                avepoint_user(
                    "a0000000-0000-4000-8000-00000000a0f1",
                    "Anna",
                    "Bergström",
                    "anna.bergstrom",
                    "SE",
                    "sv-SE",
                ),
            ],
        }],
    }
}

fn partner_center_user(id: &str, first: &str, last: &str, local: &str, location: &str) -> partner_center::User {
    partner_center::User {
        id: id.to_string(),
        user_principal_name: address(local),
        first_name: Some(first.to_string()),
        last_name: Some(last.to_string()),
        display_name: format!("{first} {last}"),
        usage_location: Some(location.to_string()),
        state: "active".to_string(),
        password: None,
        force_change_password: false,
    }
}

fn partner_center_customer() -> partner_center::Customer {
    partner_center::Customer {
        id: PARTNER_CENTER_CUSTOMER.to_string(),
        company_name: "Northwind Traders".to_string(),
        domains: vec![DOMAIN.to_string()],
        role: partner_center::GdapRole::UserAdministrator,
        users: vec![
            partner_center_user(ANNA_BERG.1, "Anna", "Berg", "anna.berg", "SE"),
            partner_center_user(TOM_ERIKSEN.1, "Tom", "Eriksen", "tom.eriksen", "NO"),
            partner_center_user("b0000000-0000-4000-8000-00000000b003", "Maria", "Lopez", "maria.lopez", "ES"),
            partner_center_user("b0000000-0000-4000-8000-00000000b0f1", "Hanna", "Berg", "hanna.berg", "SE"),
        ],
    }
}

fn softwareone_user(
    id: &str,
    first: &str,
    last: &str,
    email: &str,
    culture: &str,
    language: &str,
) -> softwareone::User {
    softwareone::User {
        id: id.to_string(),
        email: email.to_string(),
        first_name: first.to_string(),
        last_name: last.to_string(),
        status: "Active".to_string(),
        phone: None,
        settings: Some(softwareone::Settings {
            culture_code: culture.to_string(),
            language_code: language.to_string(),
            time_zone: Some("W. Europe Standard Time".to_string()),
            date_format: None,
            time_format: None,
            number_format: None,
        }),
        revision: 1,
        created_at: "2025-03-01T09:00:00.000Z".to_string(),
        updated_at: None,
    }
}

fn softwareone_account() -> softwareone::Account {
    softwareone::Account {
        id: SOFTWAREONE_ACCOUNT.to_string(),
        name: "Northwind Traders".to_string(),
        account_type: "Client".to_string(),
        status: "Active".to_string(),
        users: vec![
            // One "n", and the address typed with capitals: the same person.
            softwareone_user(ANNA_BERG.2, "Ana", "Berg", "Anna.Berg@northwind.example", "sv-SE", "sv"),
            softwareone_user(TOM_ERIKSEN.2, "Tom", "Eriksen", &address("tom.eriksen"), "nb-NO", "nb"),
            softwareone_user("USR-4567-0003", "María", "López", &address("m.lopez"), "es-ES", "es"),
            softwareone_user("USR-4567-0004", "Tom", "Eriksson", &address("tom.eriksson"), "sv-SE", "sv"),
        ],
    }
}

fn msp360_user(id: &str, login: &str, first: &str, last: &str, notify: &[String]) -> msp360::User {
    msp360::User {
        id: id.to_string(),
        email: login.to_string(),
        first_name: first.to_string(),
        last_name: last.to_string(),
        notification_emails: notify.to_vec(),
        company: "Northwind Traders".to_string(),
        enabled: true,
        license_mode: 1,
        license_key: msp360::LICENSE_KEY,
        license_as_name: false,
        space_used: 104_857_600,
        password: format!("initial-{login}"),
    }
}

/// MSP360's Anna Berg is in its own seed already (`anna.berg@northwind.example`).
fn msp360_users() -> Vec<msp360::User> {
    vec![
        msp360_user(TOM_ERIKSEN.3, "teriksen", "Tom", "Eriksen", &[address("tom.eriksen")]),
        msp360_user(
            "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f7",
            &address("annabelle.berg"),
            "Annabelle",
            "Berg",
            &[address("annabelle.berg")],
        ),
    ]
}
