//! The sample customers and users every sandbox starts with. The first customer and user are
//! the ones from Microsoft's update sample (seed 002).

use super::{Customer, GdapRole, User};

const CONTOSO: &str = "eebd1b55-5360-4438-a11d-5c06918c3014";
const FABRIKAM: &str = "4d3cf487-70f4-4e1e-9ff1-b2bfce8d9f04";
const TAILSPIN: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const SAMPLE_USER: &str = "4b10bf41-ab11-40e3-8c53-cd67849b50de";

/// The sample customer's verified domains: a user principal name must end in one of them.
pub const SAMPLE_CUSTOMER_DOMAINS: &[&str] = &["abcdefgh1234.ccsctp.net", "contoso.example"];

/// (customer id, user id) of the sample user, a customer where the partner is User Administrator.
pub fn sample_user() -> (&'static str, &'static str) {
    (CONTOSO, SAMPLE_USER)
}

/// (customer id, user id) of a user at a customer where the partner may only read (Directory Reader).
pub fn read_only_customer() -> (&'static str, &'static str) {
    (TAILSPIN, "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f")
}

fn user(id: &str, first: &str, last: &str, domain: &str, location: &str) -> User {
    User {
        id: id.to_string(),
        user_principal_name: format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase()),
        first_name: Some(first.to_string()),
        last_name: Some(last.to_string()),
        display_name: format!("{first} {last}"),
        usage_location: Some(location.to_string()),
        state: "active".to_string(),
        password: None,
        force_change_password: false,
    }
}

pub(super) fn customers() -> Vec<Customer> {
    let contoso = SAMPLE_CUSTOMER_DOMAINS[0];
    let fabrikam = "fabrikamtraders.onmicrosoft.com";
    let tailspin = "tailspintoys.onmicrosoft.com";
    vec![
        Customer {
            id: CONTOSO.to_string(),
            company_name: "Contoso Ltd".to_string(),
            domains: SAMPLE_CUSTOMER_DOMAINS.iter().map(|d| d.to_string()).collect(),
            role: GdapRole::UserAdministrator,
            users: vec![
                User {
                    user_principal_name: format!("emailidchange@{contoso}"),
                    first_name: Some("FirstNameChange".into()),
                    last_name: Some("LastNameChange".into()),
                    display_name: "DisplayNameChange".into(),
                    ..user(SAMPLE_USER, "Sample", "User", contoso, "US")
                },
                user("0f3b9a7e-5d2c-4e1f-8a6b-3c9d2e1f0a4b", "Adele", "Vance", contoso, "US"),
                user("a1b2c3d4-e5f6-4789-9abc-def012345678", "Lidia", "Holloway", contoso, "DE"),
                user("b2c3d4e5-f6a7-4890-abcd-ef0123456789", "Megan", "Bowen", contoso, "GB"),
                User {
                    state: "inactive".into(),
                    usage_location: None,
                    ..user("e5f6a7b8-c9d0-4123-8def-123456789012", "Former", "Employee", contoso, "US")
                },
            ],
        },
        Customer {
            id: FABRIKAM.to_string(),
            company_name: "Fabrikam Traders".to_string(),
            domains: vec![fabrikam.to_string()],
            role: GdapRole::UserAdministrator,
            users: vec![
                user("c3d4e5f6-a7b8-4901-bcde-f01234567890", "Jonas", "Berg", fabrikam, "SE"),
                user("d4e5f6a7-b8c9-4012-cdef-012345678901", "Amelie", "Dubois", fabrikam, "FR"),
            ],
        },
        Customer {
            id: TAILSPIN.to_string(),
            company_name: "Tailspin Toys".to_string(),
            domains: vec![tailspin.to_string()],
            role: GdapRole::DirectoryReader,
            users: vec![user(read_only_customer().1, "Pat", "Kim", tailspin, "CA")],
        },
    ]
}
