//! `avepoint.office-information`: where the user's office is. Like account information, the
//! vendor replaces the whole section, so an update reads, merges and sends all five fields.
//! `city` is required by the vendor's current docs and returned by its current GET; an older API
//! that omits it reads as "", and the form then asks for it before anything is sent.

use super::{AvePointClient, SectionOperation, UserRecord, UserTarget};
use crate::error::{FieldError, Result};
use crate::fields::{check_all, check_merged, to_json, FieldDef, FieldKind, FieldMeaning, UpdateReceipt};
use crate::operations::About;
use crate::profiles::Vendor;
use crate::reference::ValueList;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub const OPERATION_ID: &str = "avepoint.office-information";
const SECTION: &str = "office-information";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct OfficeInformation {
    pub postal_code: String,
    /// Sent in the form the vendor's GET returned (its samples use the country's name).
    pub country_region: String,
    pub state: String,
    pub address: String,
    pub city: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OfficeInformationChanges {
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_region: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
}

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new("address", "Street address", FieldKind::Text, FieldMeaning::StreetAddress)
        .required()
        .max_length(1024)
        .help("The office's street and number."),
    FieldDef::new("city", "City", FieldKind::Text, FieldMeaning::City)
        .required()
        .max_length(128)
        .help("The office's town or city. AvePoint requires it."),
    FieldDef::new("state", "State or province", FieldKind::Text, FieldMeaning::Region)
        .required()
        .max_length(128)
        .help("The office's state, province or region."),
    FieldDef::new("postalCode", "Postal code", FieldKind::Text, FieldMeaning::PostalCode)
        .required()
        .max_length(40)
        .help("The office's postal or ZIP code."),
    FieldDef::new("countryRegion", "Country or region", FieldKind::Text, FieldMeaning::Country)
        .required()
        .max_length(255)
        .suggestions(ValueList::CountryNames)
        .help("The office's country or region, as AvePoint shows it (for example United States)."),
];

pub fn check(values: &OfficeInformation) -> Vec<FieldError> {
    check_all(FIELDS, &to_json(values))
}

/// The rules an update applies to a merged section: every rule for what changed, and for values
/// AvePoint returned only that a required one is not empty (see [`check_merged`]); a city the
/// vendor did not return is so still asked for.
pub fn check_update(before: &OfficeInformation, after: &OfficeInformation) -> Vec<FieldError> {
    check_merged(FIELDS, &to_json(before), &to_json(after))
}

/// The registry's entry for this operation.
pub static OPERATION: SectionOperation<OfficeInformation, OfficeInformationChanges> = SectionOperation {
    about: About {
        id: OPERATION_ID,
        vendor: Vendor::Avepoint,
        title: "Office information",
        targets: super::USER_TARGET_IDS,
        fields: FIELDS,
    },
    section: SECTION,
    from_user,
    merge,
};

fn from_user(user: UserRecord) -> OfficeInformation {
    OfficeInformation {
        postal_code: user.postal_code.unwrap_or_default(),
        country_region: user.country_region.unwrap_or_default(),
        state: user.state.unwrap_or_default(),
        address: user.address.unwrap_or_default(),
        city: user.city.unwrap_or_default(),
    }
}

pub async fn read(client: &AvePointClient, target: &UserTarget) -> Result<OfficeInformation> {
    OPERATION.read(client, target).await
}

/// Reads the user, applies `changes`, checks what changed and sends the whole section.
pub async fn update(
    client: &AvePointClient,
    target: &UserTarget,
    changes: &OfficeInformationChanges,
) -> Result<UpdateReceipt<OfficeInformation>> {
    OPERATION.update(client, target, changes).await
}

pub fn merge(current: &OfficeInformation, changes: &OfficeInformationChanges) -> OfficeInformation {
    // Only edits are trimmed: untouched values go back exactly as AvePoint sent them.
    let pick = |change: &Option<String>, current: &String| match change {
        Some(change) => change.trim().to_string(),
        None => current.clone(),
    };
    OfficeInformation {
        postal_code: pick(&changes.postal_code, &current.postal_code),
        // The vendor's own sample has a leading space (" Angola"); trimming sends what was meant.
        country_region: pick(&changes.country_region, &current.country_region),
        state: pick(&changes.state, &current.state),
        address: pick(&changes.address, &current.address),
        city: pick(&changes.city, &current.city),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> OfficeInformation {
        OfficeInformation {
            postal_code: "2121".into(),
            country_region: "Angola".into(),
            state: "Luanda".into(),
            address: "Dande".into(),
            city: "Caxito".into(),
        }
    }

    fn only_error(values: OfficeInformation) -> FieldError {
        let errors = check(&values);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn the_vendor_sample_is_valid() {
        assert!(check(&valid()).is_empty());
    }

    #[test]
    fn definitions_cover_exactly_the_sections_keys() {
        let json = to_json(&valid());
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut defined: Vec<&str> = FIELDS.iter().map(|def| def.key).collect();
        keys.sort();
        defined.sort();
        assert_eq!(keys, defined);
    }

    #[test]
    fn rejects_postal_code_longer_than_40_characters() {
        let error = only_error(OfficeInformation { postal_code: "1".repeat(41), ..valid() });
        assert_eq!(error.field, "postalCode");
        assert!(error.message.starts_with("Postal code can be at most 40 characters long"));
    }

    #[test]
    fn rejects_country_region_longer_than_255_characters() {
        assert_eq!(only_error(OfficeInformation { country_region: "x".repeat(256), ..valid() }).field, "countryRegion");
    }

    #[test]
    fn rejects_state_longer_than_128_characters() {
        assert_eq!(only_error(OfficeInformation { state: "x".repeat(129), ..valid() }).field, "state");
    }

    #[test]
    fn rejects_address_longer_than_1024_characters() {
        assert_eq!(only_error(OfficeInformation { address: "x".repeat(1025), ..valid() }).field, "address");
    }

    #[test]
    fn rejects_city_longer_than_128_characters() {
        assert_eq!(only_error(OfficeInformation { city: "x".repeat(129), ..valid() }).field, "city");
    }

    #[test]
    fn every_field_is_required_city_included() {
        let error = only_error(OfficeInformation { city: "".into(), ..valid() });
        assert_eq!(error.message, "City is required.");
        let empty = OfficeInformation {
            postal_code: "".into(),
            country_region: " ".into(),
            state: "".into(),
            address: "".into(),
            city: "".into(),
        };
        assert_eq!(check(&empty).len(), 5);
    }

    #[test]
    fn merge_trims_and_keeps_untouched_fields() {
        let merged =
            merge(&valid(), &OfficeInformationChanges { country_region: Some(" Angola".into()), ..Default::default() });
        assert_eq!(merged.country_region, "Angola");
        assert_eq!(merged.city, "Caxito");
    }
}
