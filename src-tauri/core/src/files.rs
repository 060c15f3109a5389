//! The app's own files: written atomically (a crash mid-write leaves the old file or the new one,
//! never half of either) and readable only by the user.
//!
//! On unix a file is `0600` and a folder `0700`. On Windows the app's folders are under the user's
//! profile (`%APPDATA%`, `%LOCALAPPDATA%`), whose ACL already grants only the user, SYSTEM and
//! administrators; new files inherit it, so there is nothing to change there.

use serde_json::{Map, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Replaces `path` with `bytes`: a temporary file in the same folder (so the rename can't cross
/// file systems), flushed to disk, then renamed over the old file. The file is user-only.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // tempfile creates it 0600 on unix; said again here so the guarantee doesn't rest on that.
    let mut temporary = tempfile::NamedTempFile::new_in(dir)?;
    restrict_to_user(temporary.path())?;
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(path).map_err(|e| e.error)?;
    // The rename itself is durable once the folder is flushed too (unix; Windows has no such call).
    #[cfg(unix)]
    if let Ok(folder) = std::fs::File::open(dir) {
        let _ = folder.sync_all();
    }
    Ok(())
}

/// Makes `path` readable only by the user: `0600` for a file, `0700` for a folder (unix). A no-op
/// on Windows, where the per-user app folders' ACL is already user-only (see the module docs).
pub fn restrict_to_user(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if std::fs::metadata(path)?.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Creates `dir` if needed and makes it and the files directly in it user-only (the app's data
/// and log folders, which hold files written by plugins too).
pub fn keep_private(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    restrict_to_user(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            restrict_to_user(&entry.path())?;
        }
    }
    Ok(())
}

/// A JSON object in one file, key → value (the desk's `settings.json` and `drafts.json`; the same
/// shape tauri-plugin-store wrote, so existing files keep loading). Every change re-reads the
/// file and replaces it atomically under a lock, so a crash loses at most the change in flight.
pub struct JsonFile {
    path: PathBuf,
    lock: Mutex<()>,
}

impl JsonFile {
    pub fn new(path: PathBuf) -> JsonFile {
        JsonFile { path, lock: Mutex::new(()) }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Everything in the file; an empty object when there is no file or it can't be read.
    pub fn entries(&self) -> Map<String, Value> {
        let _guard = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        self.read().unwrap_or_default()
    }

    pub fn get(&self, key: &str) -> Option<Value> {
        self.entries().remove(key)
    }

    /// Runs `change` on the current entries and saves the result. A file that is not a JSON
    /// object is moved aside (`*.unreadable-<time>.json`) rather than overwritten.
    pub fn update<T>(&self, change: impl FnOnce(&mut Map<String, Value>) -> T) -> std::io::Result<T> {
        let _guard = self.lock.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut entries = match self.read() {
            Ok(entries) => entries,
            Err(reason) => {
                let aside = self.path.with_extension(format!("unreadable-{}.json", timestamp()));
                log::warn!("{} can't be read ({reason}); moved to {}", self.path.display(), aside.display());
                std::fs::rename(&self.path, &aside)?;
                Map::new()
            }
        };
        let result = change(&mut entries);
        let mut bytes = serde_json::to_vec_pretty(&entries).map_err(std::io::Error::other)?;
        bytes.push(b'\n');
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        write_atomically(&self.path, &bytes)?;
        Ok(result)
    }

    fn read(&self) -> Result<Map<String, Value>, String> {
        match std::fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| e.to_string()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Map::new()),
            Err(error) => Err(error.to_string()),
        }
    }
}

fn timestamp() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::macros::format_description!("[year][month][day]-[hour][minute][second]"))
        .unwrap_or_else(|_| "unknown-time".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_json_file_keeps_entries_and_replaces_the_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let file = JsonFile::new(dir.path().join("drafts.json"));
        assert!(file.entries().is_empty());
        file.update(|entries| entries.insert("a".into(), json!({"FirstName": "Ada"}))).unwrap();
        file.update(|entries| entries.insert("b".into(), json!(2))).unwrap();
        assert_eq!(file.get("a"), Some(json!({"FirstName": "Ada"})));
        assert_eq!(JsonFile::new(file.path().to_path_buf()).entries().len(), 2, "read back from disk");
        let names: Vec<String> =
            std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into()).collect();
        assert_eq!(names, ["drafts.json"], "no temporary file is left behind");
    }

    #[test]
    fn a_damaged_json_file_is_moved_aside_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, "{\"lastConnectionId\": \"abc\"").unwrap();
        let file = JsonFile::new(path.clone());
        assert!(file.entries().is_empty());
        file.update(|entries| entries.insert("k".into(), json!(1))).unwrap();
        let aside: Vec<PathBuf> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().contains("unreadable-"))
            .collect();
        assert_eq!(aside.len(), 1);
        assert_eq!(std::fs::read_to_string(&aside[0]).unwrap(), "{\"lastConnectionId\": \"abc\"");
        assert_eq!(file.get("k"), Some(json!(1)));
    }

    #[cfg(unix)]
    #[test]
    fn files_and_folders_are_readable_only_by_the_user() {
        let dir = tempfile::tempdir().unwrap();
        let logs = dir.path().join("logs");
        std::fs::create_dir(&logs).unwrap();
        std::fs::write(logs.join("switchboard.log"), "a line\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(logs.join("switchboard.log"), std::fs::Permissions::from_mode(0o644)).unwrap();
        keep_private(&logs).unwrap();
        assert_eq!(mode(&logs), 0o700);
        assert_eq!(mode(&logs.join("switchboard.log")), 0o600);

        let file = JsonFile::new(dir.path().join("settings.json"));
        file.update(|entries| entries.insert("k".into(), json!(1))).unwrap();
        assert_eq!(mode(file.path()), 0o600);
        // Replacing a file that others could read leaves a user-only one.
        let loose = dir.path().join("loose.json");
        std::fs::write(&loose, "{}").unwrap();
        std::fs::set_permissions(&loose, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_atomically(&loose, b"{}\n").unwrap();
        assert_eq!(mode(&loose), 0o600);
    }
}
