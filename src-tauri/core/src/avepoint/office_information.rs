//! `avepoint.office-information`: where the user's office is. Like account information, the
//! vendor replaces the whole section, so an update reads, merges and sends all five fields.
//! `city` is required by the vendor's current docs and returned by its current GET; an older API
//! that omits it reads as "", and the form then asks for it before anything is sent.

use super::{AvePointClient, UserTarget};
use crate::fields::{FieldDef, FieldKind, FieldMeaning};
use crate::operations::{About, VendorClient, VendorOperation};
use crate::profiles::Vendor;
use crate::reference::ValueList;

pub const OPERATION_ID: &str = "avepoint.office-information";
/// The path segment after the user.
const SECTION: &str = "office-information";

/// The section's fields, in form order and as the PUT sends them. Only edits are trimmed:
/// untouched values go back exactly as AvePoint sent them (the vendor's own sample has a
/// country with a leading space, " Angola"; trimming an edit sends what was meant).
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

/// The registry's entry for this operation.
pub static OPERATION: VendorOperation<AvePointClient, UserTarget> = VendorOperation {
    about: About {
        id: OPERATION_ID,
        vendor: Vendor::Avepoint,
        title: "Office information",
        targets: super::USER_TARGET_IDS,
        fields: FIELDS,
    },
    client: VendorClient::avepoint,
    snapshot: |client, target, _| Box::pin(super::read_section(client, target, FIELDS)),
    checked_edits: |edits| super::checked_edits(FIELDS, edits),
    plan: |target, current, edits| super::plan_section(SECTION, FIELDS, target, current, edits),
    send: |client, _, request, _| Box::pin(super::send_section(client, request, SECTION)),
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::FieldError;
    use crate::fields::check_all;
    use crate::record::with;
    use serde_json::{json, Value};

    fn check(values: &Value) -> Vec<FieldError> {
        check_all(FIELDS, values)
    }

    fn valid() -> Value {
        json!({"postalCode": "2121", "countryRegion": "Angola", "state": "Luanda", "address": "Dande", "city": "Caxito"})
    }

    fn only_error(values: Value) -> FieldError {
        let errors = check(&values);
        assert_eq!(errors.len(), 1, "{errors:?}");
        errors.into_iter().next().unwrap()
    }

    #[test]
    fn the_vendor_sample_is_valid() {
        assert!(check(&valid()).is_empty());
    }

    #[test]
    fn rejects_postal_code_longer_than_40_characters() {
        let error = only_error(with(valid(), "postalCode", json!("1".repeat(41))));
        assert_eq!(error.field, "postalCode");
        assert!(error.message.starts_with("Postal code can be at most 40 characters long"));
    }

    #[test]
    fn rejects_country_region_longer_than_255_characters() {
        assert_eq!(only_error(with(valid(), "countryRegion", json!("x".repeat(256)))).field, "countryRegion");
    }

    #[test]
    fn rejects_state_longer_than_128_characters() {
        assert_eq!(only_error(with(valid(), "state", json!("x".repeat(129)))).field, "state");
    }

    #[test]
    fn rejects_address_longer_than_1024_characters() {
        assert_eq!(only_error(with(valid(), "address", json!("x".repeat(1025)))).field, "address");
    }

    #[test]
    fn rejects_city_longer_than_128_characters() {
        assert_eq!(only_error(with(valid(), "city", json!("x".repeat(129)))).field, "city");
    }

    #[test]
    fn every_field_is_required_city_included() {
        let error = only_error(with(valid(), "city", json!("")));
        assert_eq!(error.message, "City is required.");
        let empty = json!({"postalCode": "", "countryRegion": " ", "state": "", "address": "", "city": ""});
        assert_eq!(check(&empty).len(), 5);
    }

    #[test]
    fn merge_trims_and_keeps_untouched_fields() {
        let edits = crate::record::trimmed(FIELDS, &json!({"countryRegion": " Angola"}));
        let merged = crate::record::merge(FIELDS, &valid(), &edits);
        assert_eq!(merged["countryRegion"], "Angola");
        assert_eq!(merged["city"], "Caxito");
    }
}
