//! The sandbox validates usage locations and languages with the same value lists the client
//! uses (`src-tauri/data/*.json`), so a wrong entry would pass both and confirm itself. Rather
//! than keep a second hand-made copy (which would drift the same way), the sandbox checks those
//! files here against data kept by others: ISO 3166-1 alpha-2 from the `celes` crate and BCP 47
//! syntax from `oxilangtag`. A list that gains a code ISO does not assign, or a tag that is not
//! well-formed, fails this test before either side can accept it.

use std::collections::{BTreeMap, BTreeSet};

fn list(file: &str) -> BTreeMap<String, String> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../data").join(file);
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Codes `celes` lists that ISO 3166-1 does not assign: Kosovo's XK is user-assigned (used by
/// the EU and Microsoft alike), so neither list has to carry it as a country.
const NOT_ISO: &[&str] = &["XK"];

fn iso_3166_alpha2() -> BTreeSet<String> {
    celes::Country::get_countries()
        .iter()
        .map(|country| country.alpha2.to_string())
        .filter(|code| !NOT_ISO.contains(&code.as_str()))
        .collect()
}

#[test]
fn usage_locations_are_exactly_the_iso_3166_1_alpha_2_codes() {
    let ours: BTreeSet<String> = list("avepoint-usage-locations.json").into_keys().collect();
    let iso = iso_3166_alpha2();
    let not_iso: Vec<&String> = ours.difference(&iso).collect();
    let missing: Vec<&String> = iso.difference(&ours).collect();
    assert!(not_iso.is_empty(), "codes ISO 3166-1 does not assign: {not_iso:?}");
    assert!(missing.is_empty(), "ISO 3166-1 codes missing from the list: {missing:?}");
    for (code, name) in list("avepoint-usage-locations.json") {
        assert!(!name.trim().is_empty(), "{code} has no name");
    }
}

#[test]
fn languages_are_well_formed_bcp_47_tags_with_real_regions() {
    let iso = iso_3166_alpha2();
    let languages = list("avepoint-languages.json");
    assert!(languages.len() > 500, "the list is AvePoint's full list, not a sample");
    for (tag, name) in &languages {
        let parsed = oxilangtag::LanguageTag::parse(tag.as_str())
            .unwrap_or_else(|error| panic!("{tag} is not a well-formed BCP 47 tag: {error}"));
        let normalized = oxilangtag::LanguageTag::parse_and_normalize(tag).unwrap();
        assert_eq!(normalized.as_str(), tag, "{tag} is not in BCP 47's canonical case");
        assert!(!parsed.primary_language().is_empty() && !name.trim().is_empty(), "{tag}");
        if let Some(region) = parsed.region() {
            // A region is an ISO 3166-1 code, a UN M.49 area (`es-419`), or Kosovo's XK.
            let m49 = region.len() == 3 && region.chars().all(|c| c.is_ascii_digit());
            assert!(iso.contains(region) || m49 || region == "XK", "{tag}: {region} is not a region");
        }
    }
}
