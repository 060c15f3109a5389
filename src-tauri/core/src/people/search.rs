//! Finding a person at one connection: walk the vendor's own lists (customers → tenants → users,
//! or accounts → users, or MSP360's one list), with SoftwareOne's server-side filter where the
//! query is an address, every page after the first fetched in parallel (at most
//! [`CONCURRENCY`] requests at once per connection, and no faster than a bulk run's pace for the
//! vendor, [`crate::bulk::RunOptions::for_vendor`]), then read each candidate through its
//! operations so the page can line up its fields.

use super::{cells_of, record_key, record_operations, Cell, PersonRecord, ReadRecord};
use crate::error::{Error, ErrorCode, Result};
use crate::fields::FieldMeaning;
use crate::operations::{Operation, VendorClient};
use crate::pickers::{self, ChoicePage, RecordChoice};
use crate::plan::Call;
use crate::profiles::Vendor;
use crate::softwareone::rql::Rql;
use futures_util::stream::{self, StreamExt};
use serde::Serialize;
use serde_json::{Map, Value};
use std::time::Instant;
use ts_rs::TS;

/// Requests in flight at once per connection: enough to hide latency, few enough for the
/// vendors' rate limits (none publishes numbers; a 429 is still retried by the HTTP layer).
pub const CONCURRENCY: usize = 4;
/// Candidates read per connection; more means the query is too broad to be one person.
pub const MAX_CANDIDATES: usize = 25;

/// What the person typed: an address or sign-in name, or (part of) a name.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    text: String,
}

impl Query {
    pub fn new(text: &str) -> Result<Query> {
        let text = text.trim();
        if text.chars().count() < 2 {
            let message = "Type at least two letters of a name, or an email address.";
            return Err(Error::new(ErrorCode::InvalidInput, message).with_field("query", message.into()));
        }
        Ok(Query { text: text.to_string() })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_address(&self) -> bool {
        self.text.contains('@')
    }

    /// The name words to look for: the query's, or an address's local part ("tom.eriksen@…").
    fn tokens(&self) -> Vec<String> {
        match self.text.split_once('@') {
            Some((local, _)) => super::matching::name_tokens(&local.replace(['.', '_', '-', '+'], " ")),
            None => super::matching::name_tokens(&self.text),
        }
    }

    /// Whether a list entry (its name and address line) may be the person: the same address, a
    /// name holding every word of the query (spelled loosely, see [`super::matching::name_key`]),
    /// or a sign-in name typed whole (`teriksen`, the part before the @).
    pub fn may_be(&self, label: &str, detail: &str) -> bool {
        let address =
            detail.split(" · ").next().unwrap_or_default().trim_end_matches(" (deleted)").trim().to_lowercase();
        let query = self.text.to_lowercase();
        if self.is_address() && address == query {
            return true;
        }
        if !self.is_address() && !address.is_empty() && address.split('@').next() == Some(query.as_str()) {
            return true;
        }
        let tokens = self.tokens();
        let words = super::matching::name_tokens(label);
        !tokens.is_empty() && tokens.iter().all(|t| words.contains(t))
    }
}

/// How the search went at one connection.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SearchState {
    Done,
    /// More candidates than [`MAX_CANDIDATES`]: the first ones are shown.
    TooMany {
        shown: u32,
    },
    /// The connection has no usable sign-in or secret: open it on the Connections page.
    NeedsSignIn {
        message: String,
    },
    Failed {
        error: Error,
    },
}

/// One connection's answer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionResult {
    pub connection_id: String,
    pub connection_name: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<Vendor>,
    pub state: SearchState,
    pub records: Vec<PersonRecord>,
    /// List pages read.
    pub pages: u32,
    pub took_ms: u32,
}

impl ConnectionResult {
    /// A connection that could not even be opened (no secret, a bad profile).
    pub fn unusable(connection_id: &str, connection_name: &str, error: Error) -> ConnectionResult {
        ConnectionResult {
            connection_id: connection_id.to_string(),
            connection_name: connection_name.to_string(),
            vendor: None,
            state: state_of(error),
            records: Vec::new(),
            pages: 0,
            took_ms: 0,
        }
    }
}

fn state_of(error: Error) -> SearchState {
    match error.code {
        ErrorCode::SecretMissing | ErrorCode::SignInRejected => SearchState::NeedsSignIn { message: error.message },
        _ => SearchState::Failed { error },
    }
}

/// A list entry that may be the person, with where it was found.
struct Candidate {
    target: Map<String, Value>,
    choice: RecordChoice,
    context: Vec<String>,
}

/// Searches one connection. Never fails as a whole: a failure is the result's state.
pub async fn search_connection(
    connection_id: &str,
    connection_name: &str,
    client: &VendorClient,
    query: &Query,
) -> (ConnectionResult, Vec<ReadRecord>) {
    let started = Instant::now();
    let vendor = client.vendor();
    let mut pages = 0u32;
    // The same pace as a bulk run: a search of a large tenant must not trip the vendor's limits.
    let pace = crate::http::Pace::new(crate::bulk::RunOptions::for_vendor(vendor).max_rate);
    let outcome = crate::http::paced(pace.clone(), find(client, query, &mut pages)).await;
    let mut result = ConnectionResult {
        connection_id: connection_id.to_string(),
        connection_name: connection_name.to_string(),
        vendor: Some(vendor),
        state: SearchState::Done,
        records: Vec::new(),
        pages,
        took_ms: 0,
    };
    let mut read = Vec::new();
    match outcome {
        Err(error) => result.state = state_of(error),
        Ok(mut candidates) => {
            if candidates.len() > MAX_CANDIDATES {
                candidates.truncate(MAX_CANDIDATES);
                result.state = SearchState::TooMany { shown: MAX_CANDIDATES as u32 };
            }
            let reads = crate::http::paced(
                pace,
                stream::iter(candidates)
                    .map(|candidate| read_candidate(connection_id, connection_name, client, candidate))
                    .buffered(CONCURRENCY)
                    .collect::<Vec<_>>(),
            )
            .await;
            match reads.into_iter().collect::<Result<Vec<_>>>() {
                Ok(records) => read = records,
                Err(error) => result.state = state_of(error),
            }
        }
    }
    result.records = read.iter().map(|r| r.record.clone()).collect();
    result.took_ms = started.elapsed().as_millis().min(u128::from(u32::MAX)) as u32;
    (result, read)
}

/// Searches every connection at once (`(id, name, client)`), each answer in the given order.
pub async fn search_many(
    connections: &[(String, String, VendorClient)],
    query: &Query,
) -> Vec<(ConnectionResult, Vec<ReadRecord>)> {
    let searches = connections.iter().map(|(id, name, client)| search_connection(id, name, client, query));
    futures_util::future::join_all(searches).await
}

/// Walks the lists down to the users and keeps the entries that may be the person.
async fn find(client: &VendorClient, query: &Query, pages: &mut u32) -> Result<Vec<Candidate>> {
    let operations = record_operations(client.vendor());
    let primary = *operations.first().ok_or_else(|| Error::internal("No operation reads this vendor's users."))?;
    let keys = primary.targets();
    let (parents, user_key) = keys.split_at(keys.len() - 1);
    let mut levels: Vec<(Map<String, Value>, Vec<String>)> = vec![(Map::new(), Vec::new())];
    for parent in parents {
        let listed = stream::iter(levels)
            .map(|(target, context)| async move {
                let choices = all_choices(client, primary, parent.key, &target, None).await?;
                Ok::<_, Error>((target, context, choices))
            })
            .buffered(CONCURRENCY)
            .collect::<Vec<_>>()
            .await;
        let mut next = Vec::new();
        for level in listed {
            let (target, context, (choices, read)) = level?;
            *pages += read;
            for choice in choices {
                let mut target = target.clone();
                target.insert(parent.key.to_string(), Value::String(choice.id.clone()));
                let mut context = context.clone();
                context.push(choice.label.clone());
                next.push((target, context));
            }
        }
        levels = next;
    }
    let user_key = user_key[0].key;
    let listed = stream::iter(levels)
        .map(|(target, context)| async move {
            let users = all_choices(client, primary, user_key, &target, Some(query)).await?;
            Ok::<_, Error>((target, context, users))
        })
        .buffered(CONCURRENCY)
        .collect::<Vec<_>>()
        .await;
    let mut candidates = Vec::new();
    for level in listed {
        let (target, context, (users, read)) = level?;
        *pages += read;
        for choice in users.into_iter().filter(|c| query.may_be(&c.label, &c.detail)) {
            let mut target = target.clone();
            target.insert(user_key.to_string(), Value::String(choice.id.clone()));
            candidates.push(Candidate { target: target.clone(), choice, context: context.clone() });
        }
    }
    Ok(candidates)
}

/// Every entry of one list and how many pages that took. The first page says how many there
/// are where the vendor does (AvePoint, SoftwareOne): the rest are then fetched in parallel.
async fn all_choices(
    client: &VendorClient,
    operation: &dyn Operation,
    key: &str,
    target: &Map<String, Value>,
    query: Option<&Query>,
) -> Result<(Vec<RecordChoice>, u32)> {
    let target = Value::Object(target.clone());
    let page = |cursor: Option<String>| {
        let target = target.clone();
        async move { list_page(client, operation, key, &target, cursor.as_deref(), query).await }
    };
    let first = page(None).await?;
    let mut items = first.items;
    let mut read = 1u32;
    let size = items.len() as u64;
    let cursors: Vec<String> = match (client.vendor(), first.total, first.next.as_deref()) {
        (_, _, None) => Vec::new(),
        // 1-based page numbers.
        (Vendor::Avepoint, Some(total), Some(_)) if size > 0 => {
            (2..=total.div_ceil(size)).map(|p| p.to_string()).collect()
        }
        // Offsets.
        (Vendor::Softwareone, Some(total), Some(_)) if size > 0 => {
            (1..total.div_ceil(size)).map(|p| (p * size).to_string()).collect()
        }
        // Continuation tokens: one after the other.
        (_, _, Some(next)) => {
            let mut next = Some(next.to_string());
            while let Some(cursor) = next {
                let more = page(Some(cursor)).await?;
                read += 1;
                items.extend(more.items);
                next = more.next;
            }
            Vec::new()
        }
    };
    let rest = stream::iter(cursors).map(|cursor| page(Some(cursor))).buffered(CONCURRENCY).collect::<Vec<_>>().await;
    for more in rest {
        items.extend(more?.items);
        read += 1;
    }
    Ok((items, read))
}

/// One page: SoftwareOne's users filtered by the vendor when the query is an address (its RQL
/// `ilike`), every other list through the desk's pickers.
async fn list_page(
    client: &VendorClient,
    operation: &dyn Operation,
    key: &str,
    target: &Value,
    cursor: Option<&str>,
    query: Option<&Query>,
) -> Result<ChoicePage> {
    if let (VendorClient::SoftwareOne(softwareone), Some(query), "userId") = (client, query, key) {
        if query.is_address() {
            let filter = Rql::contains("email", query.text());
            let offset = pickers::page_number(cursor)?;
            return crate::softwareone::vendor::user_page(softwareone, target, Some(&filter), offset).await;
        }
    }
    pickers::list(client, operation.id(), key, target, cursor).await
}

/// Reads a candidate through each of its vendor's record operations.
async fn read_candidate(
    connection_id: &str,
    connection_name: &str,
    client: &VendorClient,
    candidate: Candidate,
) -> Result<ReadRecord> {
    let target = Value::Object(candidate.target);
    let mut cells: Vec<Cell> = Vec::new();
    let mut snapshots = Vec::new();
    for operation in record_operations(client.vendor()) {
        let ids: Map<String, Value> = operation
            .targets()
            .iter()
            .filter_map(|t| target.get(t.key).map(|v| (t.key.to_string(), v.clone())))
            .collect();
        let snapshot = operation.read(client, &Value::Object(ids), &Call::new()).await?;
        cells.extend(cells_of(operation, &snapshot.values));
        snapshots.push((operation.id(), snapshot));
    }
    // A vendor whose operations hold no name (AvePoint's): its list's name, to see, not to change.
    let has_name = cells
        .iter()
        .any(|c| matches!(c.meaning, FieldMeaning::GivenName | FieldMeaning::Surname | FieldMeaning::DisplayName));
    if !has_name {
        cells.insert(
            0,
            Cell {
                meaning: FieldMeaning::DisplayName,
                operation: String::new(),
                field: "displayName".into(),
                label: "Display name (as listed)".into(),
                value: Value::String(candidate.choice.label.clone()),
                editable: false,
            },
        );
    }
    let vendor = client.vendor();
    Ok(ReadRecord {
        record: PersonRecord {
            key: record_key(connection_id, &target),
            connection_id: connection_id.to_string(),
            connection_name: connection_name.to_string(),
            vendor,
            vendor_label: vendor.label().to_string(),
            target,
            name: candidate.choice.label,
            detail: candidate.choice.detail,
            context: candidate.context.join(" · "),
            cells,
        },
        snapshots,
    })
}

/// Reads a known record again (fresh values for a review).
pub async fn reread(record: &PersonRecord, client: &VendorClient) -> Result<ReadRecord> {
    let mut target = Map::new();
    if let Value::Object(ids) = &record.target {
        target = ids.clone();
    }
    let candidate = Candidate {
        target,
        choice: RecordChoice { id: String::new(), label: record.name.clone(), detail: record.detail.clone() },
        context: if record.context.is_empty() { Vec::new() } else { vec![record.context.clone()] },
    };
    read_candidate(&record.connection_id, &record.connection_name, client, candidate).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_entry_may_be_the_person_by_address_or_by_every_word_of_the_name() {
        let email = Query::new("Anna.Berg@northwind.example").unwrap();
        assert!(email.may_be("Someone", "anna.berg@northwind.example"));
        assert!(email.may_be("Ana Berg", "—"), "the address's words, spelled loosely");
        assert!(!email.may_be("Hanna Berg", "hanna.berg@northwind.example"));
        assert!(!email.may_be("Anna Bergström", "anna.bergstrom@northwind.example"));
        let name = Query::new("berg").unwrap();
        assert!(name.may_be("Hanna Berg", ""));
        assert!(!name.may_be("Anna Bergström", "anna.bergstrom@x.example"), "a word, not a part of one");
        let login = Query::new("teriksen").unwrap();
        assert!(login.may_be("Tom Eriksen", "teriksen · Northwind Traders"));
        assert!(Query::new(" a ").is_err());
    }
}
