//! The sample accounts and users every sandbox starts with. Names are chosen to exercise
//! filters: "Smith & Partners" needs quoting, O'Brien has a quote, Smith and Smithers both
//! match `*smith*`.

use super::{Account, NumberFormat, Phone, Settings, User};

pub(super) const CONTOSO: &str = "ACC-1234-5678";
pub(super) const SMITH_PARTNERS: &str = "ACC-2345-6789";
pub(super) const FABRIKAM: &str = "ACC-3456-7890";
const MARK: &str = "USR-0000-0001";

/// (account id, user id) of the first sample user, the one the Practice connection opens.
pub fn sample_user() -> (&'static str, &'static str) {
    (CONTOSO, MARK)
}

fn settings(culture: &str, language: &str, time_zone: Option<&str>, separators: Option<(&str, &str)>) -> Settings {
    Settings {
        culture_code: culture.to_string(),
        language_code: language.to_string(),
        time_zone: time_zone.map(str::to_string),
        date_format: None,
        time_format: None,
        number_format: separators.map(|(decimal, group)| NumberFormat {
            decimal_separator: decimal.to_string(),
            group_separator: group.to_string(),
        }),
    }
}

fn phone(prefix: &str, number: &str) -> Option<Phone> {
    Some(Phone { prefix: Some(prefix.to_string()), number: Some(number.to_string()) })
}

fn user(id: &str, first: &str, last: &str, email: &str, phone: Option<Phone>, settings: Settings) -> User {
    User {
        id: id.to_string(),
        email: email.to_string(),
        first_name: first.to_string(),
        last_name: last.to_string(),
        status: "Active".to_string(),
        phone,
        settings: Some(settings),
        revision: 1,
        created_at: "2024-02-01T10:00:00.000Z".to_string(),
        updated_at: None,
    }
}

pub(super) fn accounts() -> Vec<Account> {
    let us = || settings("en-US", "en-US", Some("Pacific Standard Time"), Some((".", ",")));
    let mut mark = user(MARK, "Mark", "Lee", "mark.lee@contoso.example", phone("+1", "4255550101"), us());
    if let Some(settings) = mark.settings.as_mut() {
        settings.date_format = Some("MM/dd/yyyy".to_string());
        settings.time_format = Some("h:mm tt".to_string());
    }
    let mut invited = user(
        "USR-0000-0004",
        "Priya",
        "Smithers",
        "priya.smithers@contoso.example",
        None,
        settings("en-GB", "en", None, None),
    );
    invited.status = "Invited".to_string();
    vec![
        Account {
            id: CONTOSO.to_string(),
            name: "Contoso Ltd".to_string(),
            account_type: "Client".to_string(),
            status: "Active".to_string(),
            users: vec![
                mark,
                user(
                    "USR-0000-0002",
                    "Aoife",
                    "O'Brien",
                    "aoife.obrien@contoso.example",
                    None,
                    settings("en-IE", "en", Some("GMT Standard Time"), Some((".", ","))),
                ),
                user("USR-0000-0003", "Jan", "Smith", "jan.smith@contoso.example", phone("+1", "4255550103"), us()),
                invited,
            ],
        },
        Account {
            id: SMITH_PARTNERS.to_string(),
            name: "Smith & Partners".to_string(),
            account_type: "Client".to_string(),
            status: "Active".to_string(),
            users: vec![
                user(
                    "USR-0000-0005",
                    "Anna",
                    "Schmidt",
                    "anna.schmidt@smith-partners.example",
                    phone("+49", "301234567"),
                    settings("de-DE", "de", Some("W. Europe Standard Time"), Some((",", "."))),
                ),
                user(
                    "USR-0000-0006",
                    "Claire",
                    "Dubois",
                    "claire.dubois@smith-partners.example",
                    phone("+33", "142685300"),
                    settings("fr-FR", "fr", Some("Romance Standard Time"), Some((",", "\u{202f}"))),
                ),
                user(
                    "USR-0000-0007",
                    "Tom",
                    "Smith",
                    "tom.smith@smith-partners.example",
                    None,
                    settings("en-GB", "en-GB", None, None),
                ),
                user(
                    "USR-0000-0008",
                    "Sofia",
                    "Rossi",
                    "sofia.rossi@smith-partners.example",
                    phone("+39", "0612345678"),
                    settings("it-IT", "it", Some("W. Europe Standard Time"), Some((",", "."))),
                ),
            ],
        },
        Account {
            id: FABRIKAM.to_string(),
            name: "Fabrikam Inc".to_string(),
            account_type: "Client".to_string(),
            status: "Active".to_string(),
            users: vec![
                user("USR-0000-0009", "Ravi", "Patel", "ravi.patel@fabrikam.example", phone("+1", "2065550109"), us()),
                user("USR-0000-0010", "Mei", "Chen", "mei.chen@fabrikam.example", None, us()),
                user("USR-0000-0011", "Lars", "Nilsson", "lars.nilsson@fabrikam.example", None, us()),
                user("USR-0000-0012", "Olivia", "Smith", "olivia.smith@fabrikam.example", None, us()),
            ],
        },
    ]
}
