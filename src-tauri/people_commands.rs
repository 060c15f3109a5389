//! The People page's commands (issue #14): each converts arguments and delegates to
//! `switchboard_core::people`. The UI searches each chosen connection with its own call, so the
//! results arrive per connection as each answers.

use crate::AppState;
use std::collections::BTreeMap;
use switchboard_core::history::Source;
use switchboard_core::people::links::{Decision, DecisionKind};
use switchboard_core::people::{
    self, change, search, ConnectionResult, PersonGroup, PersonReview, PersonSaveResult, PersonView,
};
use switchboard_core::{Error, ErrorCode};
use tauri::State;

fn name_of(state: &AppState, connection_id: &str) -> String {
    state.connections.name(connection_id).unwrap_or_else(|_| connection_id.to_string())
}

/// Searches one connection for a person (by address or name); never fails as a whole: a
/// connection that can't answer says so in its state.
#[tauri::command]
pub async fn search_person(
    state: State<'_, AppState>,
    connection_id: String,
    query: String,
) -> Result<ConnectionResult, Error> {
    let query = search::Query::new(&query)?;
    let name = name_of(&state, &connection_id);
    let client = match state.connections.client(&connection_id) {
        Ok(client) => client,
        Err(error) => return Ok(ConnectionResult::unusable(&connection_id, &name, error)),
    };
    let (result, read) = search::search_connection(&connection_id, &name, &client, &query).await;
    state.people.keep(read);
    Ok(result)
}

/// The records found so far (by key), grouped into people, with the links kept on this computer.
#[tauri::command]
pub fn group_people(state: State<'_, AppState>, record_keys: Vec<String>) -> Result<Vec<PersonGroup>, Error> {
    let records: Vec<_> = state.people.records(&record_keys)?.into_iter().map(|r| r.record).collect();
    Ok(people::group(&records, Some(&state.links)))
}

/// Reads a person's records again (all at once) and lines them up by meaning.
#[tauri::command]
pub async fn open_person(state: State<'_, AppState>, record_keys: Vec<String>) -> Result<PersonView, Error> {
    let known = state.people.records(&record_keys)?;
    let reads = known.iter().map(|read| {
        let client = state.connections.client(&read.record.connection_id);
        async move { search::reread(&read.record, &client?).await }
    });
    let fresh = people::join_all(reads).await.into_iter().collect::<Result<Vec<_>, Error>>()?;
    let records: Vec<_> = fresh.iter().map(|r| r.record.clone()).collect();
    state.people.keep(fresh);
    Ok(change::side_by_side(&record_keys.join(","), &records))
}

/// Plans one edit per meaning for each record (sends nothing); the review lists every vendor's part.
#[tauri::command]
pub fn review_person(
    state: State<'_, AppState>,
    record_keys: Vec<String>,
    edits: BTreeMap<String, String>,
) -> Result<PersonReview, Error> {
    let edits = change::parse_edits(&edits)?;
    state.people.review(&record_keys, &edits)
}

/// Saves the reviewed parts in parallel (only `only`, when given: a retry of the failed ones).
#[tauri::command]
pub async fn save_person(
    state: State<'_, AppState>,
    review_id: String,
    only: Option<Vec<String>>,
) -> Result<PersonSaveResult, Error> {
    let history = state.history.as_ref().map_err(|reason| {
        Error::new(ErrorCode::Internal, format!("Nothing was saved: the change history can't be used ({reason})."))
    })?;
    let connections = &state.connections;
    state
        .people
        .save(&review_id, only.as_deref(), |id| connections.client(id), Some(history.as_ref()), Source::People)
        .await
}

/// Undoes a saved person change at every vendor together (nothing is sent if any record changed
/// at its vendor since; the error names it).
#[tauri::command]
pub async fn undo_person_save(state: State<'_, AppState>, group_id: String) -> Result<PersonSaveResult, Error> {
    let history = state.history.as_ref().map_err(|reason| {
        Error::new(ErrorCode::Internal, format!("Nothing was undone: the change history can't be used ({reason})."))
    })?;
    let connections = &state.connections;
    change::undo_group(history.as_ref(), &group_id, |id| connections.client(id)).await
}

/// Remembers that records are (`same`) or are not the same person; returns the decision to undo.
#[tauri::command]
pub fn link_people(state: State<'_, AppState>, record_keys: Vec<String>, same: bool) -> Result<Decision, Error> {
    state.links.decide(if same { DecisionKind::Same } else { DecisionKind::Different }, &record_keys)
}

/// Forgets a remembered decision.
#[tauri::command]
pub fn undo_link(state: State<'_, AppState>, id: String) -> Result<Decision, Error> {
    state.links.undo(&id)
}
