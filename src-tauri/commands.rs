//! Tauri commands: each converts arguments, delegates to the core and returns its result.

use crate::Connections;
use switchboard_core::avepoint::account_information::{self, AccountInformation, AccountInformationChanges};
use switchboard_core::avepoint::UserTarget;
use switchboard_core::connection::ConnectionSummary;
use switchboard_core::fields::{OperationSpec, UpdateReceipt};
use switchboard_core::{Error, ErrorCode, FieldError};
use tauri::State;

#[tauri::command]
pub fn list_connections(connections: State<'_, Connections>) -> Vec<ConnectionSummary> {
    connections.list()
}

#[tauri::command]
pub fn describe_operation(operation: String) -> Result<OperationSpec, Error> {
    match operation.as_str() {
        account_information::OPERATION_ID => Ok(account_information::spec()),
        other => Err(Error::new(ErrorCode::InvalidInput, format!("Switchboard has no operation called \"{other}\"."))),
    }
}

#[tauri::command]
pub fn check_account_information(values: AccountInformation) -> Vec<FieldError> {
    account_information::check(&values)
}

#[tauri::command]
pub async fn read_account_information(
    connections: State<'_, Connections>,
    connection_id: String,
    target: UserTarget,
) -> Result<AccountInformation, Error> {
    let client = connections.avepoint(&connection_id)?;
    account_information::read(&client, &target).await
}

#[tauri::command]
pub async fn update_account_information(
    connections: State<'_, Connections>,
    connection_id: String,
    target: UserTarget,
    changes: AccountInformationChanges,
) -> Result<UpdateReceipt<AccountInformation>, Error> {
    let client = connections.avepoint(&connection_id)?;
    account_information::update(&client, &target, &changes).await
}
