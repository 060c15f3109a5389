//! Which records are the same person. Pure: no I/O, so every rule is a unit test.
//!
//! 1. **Exact**: records sharing an email address or sign-in name (compared without regard to
//!    capitals) are one person, certainly.
//! 2. **Linked by you**: records a person confirmed as one earlier ([`super::links`]).
//! 3. **By name**, only as a suggestion with its reason and a confidence: the same first and last
//!    name (0.9), or names that differ only in accents, capitals or a doubled letter
//!    ("María López" / "Maria Lopez", "Ana Berg" / "Anna Berg": 0.7). Addresses that differ on
//!    both sides lower the confidence by 0.3. Anything else — another surname ("Anna Bergström"),
//!    another first letter ("Hanna"), one name inside another — is not a match.

use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use ts_rs::TS;

/// What matching needs to know of one record.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Identity {
    pub key: String,
    /// Email addresses and sign-in names, as the vendor holds them.
    pub addresses: Vec<String>,
    pub given_name: String,
    pub surname: String,
    /// The display name, used when first and last name are missing.
    pub display_name: String,
}

impl Identity {
    /// "Given Surname", or the display name when the parts are missing.
    pub fn full_name(&self) -> String {
        let parts = format!("{} {}", self.given_name.trim(), self.surname.trim());
        if parts.trim().is_empty() {
            self.display_name.trim().to_string()
        } else {
            parts.trim().to_string()
        }
    }

    fn address_set(&self) -> BTreeSet<String> {
        self.addresses.iter().map(|a| a.trim().to_lowercase()).filter(|a| !a.is_empty()).collect()
    }

    fn emails(&self) -> BTreeSet<String> {
        self.address_set().into_iter().filter(|a| a.contains('@')).collect()
    }
}

/// How a record joined its person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum LinkKind {
    /// The first record of the person (the others are linked to it).
    First,
    /// Same email address or sign-in name.
    Exact,
    /// Confirmed as the same person earlier, on this computer.
    Confirmed,
    /// Similar name only: shown with its reason and confidence, to accept or reject.
    Suggested,
}

/// One record of a person, and why it belongs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct GroupMember {
    pub record_key: String,
    pub link: LinkKind,
    /// Why, in words ("Same email address anna.berg@northwind.example").
    pub reason: String,
    /// 0 to 1: 1 for an exact or confirmed link.
    pub confidence: f32,
}

/// Records that are (or may be) one person.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PersonGroup {
    /// Stable for the same first record.
    pub id: String,
    pub name: String,
    pub members: Vec<GroupMember>,
}

/// Lower case, accents removed (é → e, ø → o, ß → ss), anything but letters and digits a space.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.to_lowercase().chars() {
        let plain = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => "a",
            'æ' => "ae",
            'ç' | 'ć' | 'č' => "c",
            'ď' | 'đ' | 'ð' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
            'ł' | 'ľ' => "l",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'œ' => "oe",
            'ř' => "r",
            'ś' | 'š' | 'ş' => "s",
            'ß' => "ss",
            'ť' | 'ţ' => "t",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => "u",
            'ý' | 'ÿ' => "y",
            'ź' | 'ż' | 'ž' => "z",
            'þ' => "th",
            c if c.is_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => " ",
        };
        out.push_str(plain);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// [`fold`], then each run of one letter as one ("anna" → "ana"): the spellings records drift by.
pub fn name_key(text: &str) -> String {
    let mut out = String::new();
    for c in fold(text).chars() {
        if !out.ends_with(c) || c == ' ' {
            out.push(c);
        }
    }
    out
}

/// The words of a name as [`name_key`] spells them.
pub fn name_tokens(text: &str) -> Vec<String> {
    name_key(text).split(' ').filter(|t| !t.is_empty()).map(str::to_string).collect()
}

/// Whether `a` and `b` may be the same person by name alone: the confidence and the reason.
pub fn name_match(a: &Identity, b: &Identity) -> Option<(f32, String)> {
    let (name_a, name_b) = (a.full_name(), b.full_name());
    if name_a.is_empty() || name_b.is_empty() {
        return None;
    }
    // Both parts must agree when both records have them; otherwise the whole names.
    let parts = |i: &Identity| (name_key(&i.given_name), name_key(&i.surname));
    let same_parts = match (parts(a), parts(b)) {
        ((ga, sa), (gb, sb)) if !ga.is_empty() && !sa.is_empty() && !gb.is_empty() && !sb.is_empty() => {
            ga == gb && sa == sb
        }
        _ => name_key(&name_a) == name_key(&name_b),
    };
    if !same_parts {
        return None;
    }
    let (mut confidence, mut reason) =
        if fold(&name_a) == fold(&name_b) && name_a.to_lowercase() == name_b.to_lowercase() {
            (0.9, format!("Same name \"{name_a}\""))
        } else {
            (0.7, format!("Similar name: \"{name_a}\" and \"{name_b}\" (spelled differently)"))
        };
    let (emails_a, emails_b) = (a.emails(), b.emails());
    if !emails_a.is_empty() && !emails_b.is_empty() && emails_a.is_disjoint(&emails_b) {
        confidence -= 0.3;
        reason.push_str("; their email addresses differ");
    }
    Some((confidence, reason))
}

/// A pair of record keys, in order.
pub fn pair(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

/// What the person decided earlier: links confirmed (as sets of record keys) and suggestions rejected.
#[derive(Debug, Clone, Default)]
pub struct Decisions {
    pub confirmed: Vec<Vec<String>>,
    pub rejected: BTreeSet<(String, String)>,
}

struct UnionFind(Vec<usize>);

impl UnionFind {
    fn find(&mut self, i: usize) -> usize {
        let parent = self.0[i];
        if parent == i {
            return i;
        }
        let root = self.find(parent);
        self.0[i] = root;
        root
    }
    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[b.max(a)] = a.min(b);
        }
    }
}

/// Groups records into people (see the module docs). Records keep their order: a person's first
/// record is its earliest, and people are in the order of their first records.
pub fn group(records: &[Identity], decisions: &Decisions) -> Vec<PersonGroup> {
    let n = records.len();
    let mut exact = UnionFind((0..n).collect());
    // Why each record joined (index → (kind, reason)), for the non-first members.
    let mut why: BTreeMap<usize, (LinkKind, String)> = BTreeMap::new();
    let mut by_address: BTreeMap<String, usize> = BTreeMap::new();
    for (i, record) in records.iter().enumerate() {
        for address in record.address_set() {
            match by_address.get(&address) {
                Some(&first) => {
                    if exact.find(first) != exact.find(i) {
                        exact.union(first, i);
                        let shown = record.addresses.iter().find(|a| a.trim().eq_ignore_ascii_case(&address));
                        let kind = if address.contains('@') { "email address" } else { "sign-in name" };
                        let mut reason = format!("Same {kind} {address}");
                        if let Some(shown) = shown.filter(|s| s.trim() != address) {
                            reason.push_str(&format!(" (written \"{}\")", shown.trim()));
                        }
                        why.entry(i).or_insert((LinkKind::Exact, reason));
                    }
                }
                None => {
                    by_address.insert(address, i);
                }
            }
        }
    }
    let index: BTreeMap<&str, usize> = records.iter().enumerate().map(|(i, r)| (r.key.as_str(), i)).collect();
    for link in &decisions.confirmed {
        let members: Vec<usize> = link.iter().filter_map(|k| index.get(k.as_str()).copied()).collect();
        for pair in members.windows(2) {
            if exact.find(pair[0]) != exact.find(pair[1]) {
                exact.union(pair[0], pair[1]);
                why.entry(pair[1].max(pair[0])).or_insert((LinkKind::Confirmed, "Linked by you earlier".into()));
            }
        }
    }
    // Components in order of their first record.
    let mut components: Vec<Vec<usize>> = Vec::new();
    let mut component_of: BTreeMap<usize, usize> = BTreeMap::new();
    for i in 0..n {
        let root = exact.find(i);
        match component_of.get(&root) {
            Some(&c) => components[c].push(i),
            None => {
                component_of.insert(root, components.len());
                components.push(vec![i]);
            }
        }
    }
    // Name suggestions: a later component joins the earliest one it matches best, never two.
    let mut suggested_into: Vec<Option<(usize, f32, String)>> = vec![None; components.len()];
    for later in 1..components.len() {
        let mut best: Option<(usize, f32, String)> = None;
        for earlier in 0..later {
            if suggested_into[earlier].is_some() {
                continue;
            }
            for &a in &components[earlier] {
                for &b in &components[later] {
                    if decisions.rejected.contains(&pair(&records[a].key, &records[b].key)) {
                        continue;
                    }
                    if let Some((confidence, reason)) = name_match(&records[a], &records[b]) {
                        if best.as_ref().is_none_or(|(_, c, _)| confidence > *c) {
                            best = Some((earlier, confidence, reason));
                        }
                    }
                }
            }
        }
        suggested_into[later] = best;
    }
    let mut groups: Vec<PersonGroup> = Vec::new();
    let mut group_of_component: BTreeMap<usize, usize> = BTreeMap::new();
    for (c, members) in components.iter().enumerate() {
        let target = match &suggested_into[c] {
            Some((earlier, _, _)) => group_of_component.get(earlier).copied(),
            None => None,
        };
        let entries = members.iter().enumerate().map(|(position, &i)| {
            let (link, reason, confidence) = match (&suggested_into[c], why.get(&i)) {
                (Some((_, confidence, reason)), _) if position == 0 => {
                    (LinkKind::Suggested, reason.clone(), *confidence)
                }
                (_, Some((kind, reason))) => (*kind, reason.clone(), 1.0),
                _ => (LinkKind::First, "Found by the search".to_string(), 1.0),
            };
            GroupMember { record_key: records[i].key.clone(), link, reason, confidence }
        });
        match target {
            Some(g) => {
                groups[g].members.extend(entries);
                group_of_component.insert(c, g);
            }
            None => {
                let first = &records[members[0]];
                group_of_component.insert(c, groups.len());
                groups.push(PersonGroup {
                    id: format!("person:{}", first.key),
                    name: first.full_name(),
                    members: entries.collect(),
                });
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn who(key: &str, given: &str, surname: &str, addresses: &[&str]) -> Identity {
        Identity {
            key: key.into(),
            addresses: addresses.iter().map(|a| a.to_string()).collect(),
            given_name: given.into(),
            surname: surname.into(),
            display_name: String::new(),
        }
    }

    fn keys(group: &PersonGroup) -> Vec<&str> {
        group.members.iter().map(|m| m.record_key.as_str()).collect()
    }

    #[test]
    fn the_same_email_is_one_person_whatever_the_capitals_or_spelling_of_the_name() {
        let records = [
            who("avepoint", "Anna", "Berg", &["anna.berg@northwind.example"]),
            who("softwareone", "Ana", "Berg", &["Anna.Berg@northwind.example"]),
            who("msp360", "Anna", "Berg", &["anna.berg@northwind.example", "it-alerts@northwind.example"]),
        ];
        let groups = group(&records, &Decisions::default());
        assert_eq!(groups.len(), 1);
        assert_eq!(keys(&groups[0]), ["avepoint", "softwareone", "msp360"]);
        let ana = &groups[0].members[1];
        assert_eq!(ana.link, LinkKind::Exact);
        assert_eq!(ana.confidence, 1.0);
        assert_eq!(
            ana.reason,
            "Same email address anna.berg@northwind.example (written \"Anna.Berg@northwind.example\")"
        );
    }

    #[test]
    fn a_sign_in_name_that_is_not_an_address_links_too() {
        let records = [who("a", "Tom", "Eriksen", &["teriksen"]), who("b", "T", "E", &["TERIKSEN"])];
        let groups = group(&records, &Decisions::default());
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members[1].reason, "Same sign-in name teriksen (written \"TERIKSEN\")");
    }

    #[test]
    fn a_similar_name_is_only_suggested_with_its_reason_and_confidence() {
        let records = [
            who("pc", "Maria", "Lopez", &["maria.lopez@northwind.example"]),
            who("swo", "María", "López", &["m.lopez@northwind.example"]),
            who("plain", "Maria", "Lopez", &[]),
        ];
        let groups = group(&records, &Decisions::default());
        assert_eq!(groups.len(), 1, "{groups:?}");
        let accented = &groups[0].members[1];
        assert_eq!(accented.link, LinkKind::Suggested);
        assert!((accented.confidence - 0.4).abs() < 1e-6, "accents, and different addresses: {}", accented.confidence);
        assert!(accented.reason.contains("spelled differently") && accented.reason.contains("addresses differ"));
        let same = &groups[0].members[2];
        assert!((same.confidence - 0.9).abs() < 1e-6);
        assert_eq!(same.reason, "Same name \"Maria Lopez\"");
    }

    #[test]
    fn a_doubled_letter_is_a_spelling_difference() {
        let (a, b) = (who("a", "Anna", "Berg", &[]), who("b", "Ana", "Berg", &[]));
        let (confidence, reason) = name_match(&a, &b).unwrap();
        assert!((confidence - 0.7).abs() < 1e-6);
        assert!(reason.contains("\"Anna Berg\" and \"Ana Berg\""), "{reason}");
    }

    #[test]
    fn near_misses_are_never_matched() {
        let anna = who("anna", "Anna", "Berg", &["anna.berg@northwind.example"]);
        for near in [
            who("x", "Anna", "Bergström", &["anna.bergstrom@northwind.example"]),
            who("x", "Hanna", "Berg", &["hanna.berg@northwind.example"]),
            who("x", "Annabelle", "Berg", &[]),
            who("x", "Anna", "Bergman", &[]),
            who("x", "Berg", "Anna", &[]),
            who("x", "", "", &[]),
        ] {
            assert_eq!(name_match(&anna, &near), None, "{near:?}");
            let groups = group(&[anna.clone(), near.clone()], &Decisions::default());
            assert_eq!(groups.len(), 2, "{near:?}");
        }
        let tom = who("tom", "Tom", "Eriksen", &[]);
        assert_eq!(name_match(&tom, &who("x", "Tom", "Eriksson", &[])), None);
    }

    #[test]
    fn a_rejected_suggestion_is_not_made_again_and_a_confirmed_link_holds() {
        let records = [who("pc", "Maria", "Lopez", &["maria.lopez@x.example"]), who("swo", "María", "López", &[])];
        let mut decisions = Decisions::default();
        decisions.rejected.insert(pair("swo", "pc"));
        assert_eq!(group(&records, &decisions).len(), 2);
        let decisions = Decisions { confirmed: vec![vec!["pc".into(), "swo".into()]], ..Decisions::default() };
        let groups = group(&records, &decisions);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members[1].link, LinkKind::Confirmed);
        assert_eq!(groups[0].members[1].confidence, 1.0);
    }

    #[test]
    fn names_fold_accents_capitals_and_doubled_letters() {
        assert_eq!(fold("  María   LÓPEZ "), "maria lopez");
        assert_eq!(fold("Bergström-Øst"), "bergstrom ost");
        assert_eq!(name_key("Anna Berg"), "ana berg");
        assert_eq!(name_key("Ana Berg"), "ana berg");
        assert_eq!(name_tokens("Hanna  Berg"), ["hana", "berg"]);
    }
}
