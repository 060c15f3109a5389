//! What the person decided about suggested matches, kept on this computer (`people-links.json` in
//! the data folder, an atomic user-only [`JsonFile`]): links confirmed ("these records are one
//! person") and suggestions rejected ("not the same person"). Each decision has an id, so it can
//! be undone.

use super::matching::{self, Decisions};
use crate::error::{Error, ErrorCode, Result};
use crate::files::JsonFile;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;
use ts_rs::TS;

pub const FILE_NAME: &str = "people-links.json";

/// One decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct Decision {
    pub id: String,
    /// `same` (confirmed as one person) or `different` (a suggestion rejected).
    pub kind: DecisionKind,
    /// The record keys it is about (two or more).
    pub records: Vec<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DecisionKind {
    Same,
    Different,
}

/// The decisions file.
pub struct Links {
    file: JsonFile,
}

impl Links {
    pub fn open(data_dir: &Path) -> Links {
        Links { file: JsonFile::new(data_dir.join(FILE_NAME)) }
    }

    /// Every decision, oldest first (entries that can't be read are skipped).
    pub fn list(&self) -> Vec<Decision> {
        let mut all: Vec<Decision> =
            self.file.entries().into_values().filter_map(|value| serde_json::from_value(value).ok()).collect();
        all.sort_by(|a, b| a.at.cmp(&b.at).then(a.id.cmp(&b.id)));
        all
    }

    /// Records a decision about `records` (at least two); returns it, for an undo.
    pub fn decide(&self, kind: DecisionKind, records: &[String]) -> Result<Decision> {
        let mut records: Vec<String> = records.iter().map(|r| r.trim().to_string()).filter(|r| !r.is_empty()).collect();
        records.dedup();
        if records.len() < 2 {
            return Err(Error::new(ErrorCode::InvalidInput, "A link needs two records or more."));
        }
        let decision = Decision { id: uuid::Uuid::new_v4().to_string(), kind, records, at: now() };
        let value = serde_json::to_value(&decision).map_err(|e| Error::internal(e.to_string()))?;
        self.file
            .update(|entries| entries.insert(decision.id.clone(), value))
            .map_err(|e| storage_error(self.file.path(), e))?;
        Ok(decision)
    }

    /// Undoes a decision; an unknown id is an error naming it.
    pub fn undo(&self, id: &str) -> Result<Decision> {
        let removed: Option<Value> =
            self.file.update(|entries| entries.remove(id)).map_err(|e| storage_error(self.file.path(), e))?;
        removed.and_then(|value| serde_json::from_value(value).ok()).ok_or_else(|| {
            Error::new(ErrorCode::NotFound, format!("There is no remembered link \"{id}\"; it may be undone already."))
        })
    }

    /// The decisions as matching uses them.
    pub fn decisions(&self) -> Decisions {
        let mut decisions = Decisions::default();
        for decision in self.list() {
            match decision.kind {
                DecisionKind::Same => decisions.confirmed.push(decision.records),
                DecisionKind::Different => {
                    for (i, a) in decision.records.iter().enumerate() {
                        for b in &decision.records[i + 1..] {
                            decisions.rejected.insert(matching::pair(a, b));
                        }
                    }
                }
            }
        }
        decisions
    }
}

fn now() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

fn storage_error(path: &Path, error: std::io::Error) -> Error {
    Error::new(ErrorCode::ProfileStorage, format!("Switchboard could not save {}: {error}.", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_remembered_in_a_user_only_file_and_undone_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let links = Links::open(dir.path());
        let same = links.decide(DecisionKind::Same, &["a".into(), "b".into()]).unwrap();
        let different = links.decide(DecisionKind::Different, &["a".into(), "c".into()]).unwrap();
        // Read back from disk, as the next start would.
        let again = Links::open(dir.path());
        let decisions = again.decisions();
        assert_eq!(decisions.confirmed, vec![vec!["a".to_string(), "b".to_string()]]);
        assert!(decisions.rejected.contains(&matching::pair("c", "a")));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(FILE_NAME)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert_eq!(again.undo(&same.id).unwrap().kind, DecisionKind::Same);
        assert_eq!(again.list(), vec![different]);
        assert_eq!(again.undo(&same.id).unwrap_err().code, ErrorCode::NotFound);
        assert!(links.decide(DecisionKind::Same, &["a".into(), " ".into()]).is_err(), "one record is no link");
    }
}
