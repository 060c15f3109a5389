//! The vendors' value lists (countries, languages), embedded at build time from `src-tauri/data/`.

use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use ts_rs::TS;

/// One allowed value and what people call it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// The value lists a field can be restricted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueList {
    /// ISO 3166-1 alpha-2 codes, as AvePoint lists them for `usageLocation`.
    UsageLocations,
    /// AvePoint's culture codes for `preferredLanguage` (e.g. `en-US`, `af-NA`).
    Languages,
    /// MSP360's license management modes for a backup user (`UserModeType`).
    Msp360LicenseModes,
    /// Country and region names as AvePoint shows them (`United States`), each labelled with its
    /// ISO code. Offered as suggestions for `countryRegion`, whose GET returns the name.
    CountryNames,
}

impl ValueList {
    /// What the list holds, for error messages: "one of {description}".
    pub fn description(self) -> &'static str {
        match self {
            ValueList::UsageLocations => "the two-letter ISO 3166-1 country codes, such as US or DE",
            ValueList::Languages => "the vendor's culture codes, such as en-US or af-NA",
            ValueList::Msp360LicenseModes => "Manual, Automatic or CompanySettings",
            ValueList::CountryNames => "AvePoint's country and region names, such as United States",
        }
    }

    /// The entries, sorted by label so pickers read naturally.
    pub fn choices(self) -> &'static [Choice] {
        static USAGE_LOCATIONS: OnceLock<Vec<Choice>> = OnceLock::new();
        static LANGUAGES: OnceLock<Vec<Choice>> = OnceLock::new();
        static MSP360_LICENSE_MODES: OnceLock<Vec<Choice>> = OnceLock::new();
        static COUNTRY_NAMES: OnceLock<Vec<Choice>> = OnceLock::new();
        match self {
            ValueList::UsageLocations => {
                USAGE_LOCATIONS.get_or_init(|| parse(include_str!("../../data/avepoint-usage-locations.json")))
            }
            ValueList::Languages => LANGUAGES.get_or_init(|| parse(include_str!("../../data/avepoint-languages.json"))),
            ValueList::Msp360LicenseModes => {
                MSP360_LICENSE_MODES.get_or_init(|| parse(include_str!("../../data/msp360-license-modes.json")))
            }
            ValueList::CountryNames => COUNTRY_NAMES.get_or_init(|| {
                parse(include_str!("../../data/avepoint-countries-regions.json"))
                    .into_iter()
                    .map(|code| Choice { label: format!("{} ({})", code.label, code.value), value: code.label })
                    .collect()
            }),
        }
    }

    pub fn contains(self, value: &str) -> bool {
        self.choices().iter().any(|choice| choice.value == value)
    }
}

fn parse(json: &str) -> Vec<Choice> {
    let map: BTreeMap<String, String> =
        serde_json::from_str(json).expect("embedded value lists are valid JSON objects");
    let mut choices: Vec<Choice> = map.into_iter().map(|(value, label)| Choice { value, label }).collect();
    choices.sort_by(|a, b| a.label.cmp(&b.label).then_with(|| a.value.cmp(&b.value)));
    choices
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_locations_hold_every_listed_country_code() {
        let list = ValueList::UsageLocations;
        assert_eq!(list.choices().len(), 249);
        assert!(list.contains("AF"));
        assert!(list.contains("US"));
        assert!(!list.contains("us"), "codes are case-sensitive");
        assert!(!list.contains("USA"));
    }

    #[test]
    fn country_names_are_the_names_avepoint_returns_labelled_with_their_code() {
        let list = ValueList::CountryNames;
        let us = list.choices().iter().find(|c| c.value == "United States").expect("United States is listed");
        assert_eq!(us.label, "United States (US)");
        assert!(list.choices().len() > 200);
    }

    #[test]
    fn languages_hold_the_vendor_culture_codes() {
        let list = ValueList::Languages;
        assert_eq!(list.choices().len(), 574);
        assert!(list.contains("af-NA"));
        assert!(list.contains("en-US"));
        assert!(!list.contains("en-XX"));
    }
}
