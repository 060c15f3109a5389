//! The sample customers, tenants and users every sandbox starts with.

use super::{Customer, Tenant, User};

/// (customer id, tenant id, user id) of the first sample user: the one from the vendor's docs.
pub fn sample_user() -> (&'static str, &'static str, &'static str) {
    (CONTOSO, CONTOSO_MAIN, MARK)
}

const CONTOSO: &str = "966f35cc-61f4-4070-819c-25cdbcf82a07";
const CONTOSO_MAIN: &str = "0c7715b3-bc2f-4c4c-a8a0-f3634dcfacec";
const CONTOSO_LAB: &str = "5b1f3a52-0e3c-4d0a-9a55-4a8c7f0e2d11";
const FABRIKAM: &str = "2d4e6f80-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
const FABRIKAM_MAIN: &str = "8f7e6d5c-4b3a-4291-8071-6f5e4d3c2b1a";
const MARK: &str = "7c18fd6f-fb26-4353-8dbd-5725fa9edc3f";

fn user(id: &str, first: &str, last: &str, domain: &str, location: &str, language: &str) -> User {
    let login = format!("{}@{domain}", first.to_lowercase());
    User {
        id: id.to_string(),
        first_name: first.to_string(),
        last_name: last.to_string(),
        display_name: format!("{first} {last}"),
        login_name: login.clone(),
        mail: login,
        usage_location: location.to_string(),
        preferred_language: language.to_string(),
        enforce_start: false,
        enforce_start_date_time: "1970-01-01T00:00:00Z".to_string(),
        enforce_end: false,
        enforce_end_date_time: "1970-01-01T00:00:00Z".to_string(),
        postal_code: "98052".to_string(),
        country_region: "United States".to_string(),
        state: "WA".to_string(),
        address: "1 Main Street".to_string(),
        city: Some("Redmond".to_string()),
    }
}

/// The n-th generated user of a large tenant: a stable id and a varied, searchable name.
pub(super) fn generated_user(n: usize, domain: &str) -> User {
    const FIRST: [&str; 8] = ["Ada", "Bo", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana"];
    const LAST: [&str; 6] = ["Novak", "Okafor", "Silva", "Tanaka", "Weber", "Young"];
    let id = format!("00000000-0000-4000-8000-{n:012}");
    let first = FIRST[n % FIRST.len()];
    let last = format!("{}{}", LAST[(n / FIRST.len()) % LAST.len()], n);
    User {
        mail: format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase()),
        ..user(&id, first, &last, domain, "US", "en-US")
    }
}

pub(super) fn customers() -> Vec<Customer> {
    let contoso = "contoso.onmicrosoft.com";
    let fabrikam = "fabrikam.onmicrosoft.com";
    vec![
        Customer {
            id: CONTOSO.to_string(),
            organization: "Contoso Ltd".to_string(),
            tenants: vec![
                Tenant {
                    id: CONTOSO_MAIN.to_string(),
                    name: contoso.to_string(),
                    users: vec![
                        // The docs' user has no city yet (null in the GET), as a user saved
                        // before AvePoint added it would: the form asks for one.
                        User {
                            mail: "Mark@element.onmicrosoft.com".into(),
                            city: None,
                            ..user(MARK, "Mark", "Lee", contoso, "AF", "af-NA")
                        },
                        user("0f3b9a7e-5d2c-4e1f-8a6b-3c9d2e1f0a4b", "Adele", "Vance", contoso, "US", "en-US"),
                        user("a1b2c3d4-e5f6-4789-9abc-def012345678", "Lidia", "Holloway", contoso, "DE", "de-DE"),
                    ],
                },
                Tenant {
                    id: CONTOSO_LAB.to_string(),
                    name: "contosolab.onmicrosoft.com".to_string(),
                    users: vec![user(
                        "b2c3d4e5-f6a7-4890-abcd-ef0123456789",
                        "Test",
                        "Account",
                        "contosolab.onmicrosoft.com",
                        "GB",
                        "en-GB",
                    )],
                },
            ],
        },
        Customer {
            id: FABRIKAM.to_string(),
            organization: "Fabrikam Inc".to_string(),
            tenants: vec![Tenant {
                id: FABRIKAM_MAIN.to_string(),
                name: fabrikam.to_string(),
                users: vec![
                    user("c3d4e5f6-a7b8-4901-bcde-f01234567890", "Jonas", "Berg", fabrikam, "SE", "sv-SE"),
                    user("d4e5f6a7-b8c9-4012-cdef-012345678901", "Amelie", "Dubois", fabrikam, "FR", "fr-FR"),
                ],
            }],
        },
    ]
}
